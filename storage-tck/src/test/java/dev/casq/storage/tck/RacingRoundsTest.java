package dev.casq.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.Version;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class RacingRoundsTest {

  @Test
  void aCorrectStoreHasOneWinnerEveryRound() throws Exception {
    RacingRounds.Summary s = RacingRounds.run(new MemoryObjectStore(), "race", 4, 30);
    assertThat(s.decided()).isEqualTo(30);
    assertThat(s.won()).isEqualTo(30);
    assertThat(s.lost()).isEqualTo(90);
    assertThat(s.unknown()).isZero();
  }

  /**
   * A store whose conditional replace checks the version and then writes without atomicity (the bug
   * of some fake servers): two racers that both pass the check both win. The barrier makes both
   * racers pass the check before either writes, so the bug shows in the first round.
   */
  @Test
  void aNonAtomicReplaceIsCaught() {
    MemoryObjectStore mem = new MemoryObjectStore();
    CyclicBarrier bothChecked = new CyclicBarrier(2);
    ObjectStore checkThenWrite =
        new DelegatingObjectStore(mem) {
          @Override
          public Version replace(String key, byte[] data, Version expected) {
            boolean matches = mem.read(key).map(v -> v.version().equals(expected)).orElse(false);
            try {
              bothChecked.await();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            if (!matches) {
              throw new PreconditionFailedException("version mismatch");
            }
            return mem.put(key, data);
          }
        };
    assertThatThrownBy(() -> RacingRounds.run(checkThenWrite, "race", 2, 5))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("round 1");
  }
}
