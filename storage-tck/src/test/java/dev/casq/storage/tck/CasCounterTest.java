package dev.casq.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.Version;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CasCounterTest {

  @Test
  void encodesAndDecodesReadableText() {
    CasCounter.State s = CasCounter.State.zero().plusOne("b").plusOne("a").plusOne("b");
    assertThat(new String(s.encode(), StandardCharsets.UTF_8)).isEqualTo("total=3\na=1\nb=2\n");
    assertThat(CasCounter.State.decode(s.encode())).isEqualTo(s);
  }

  @Test
  void rejectsInconsistentOrForeignContent() {
    assertThatThrownBy(
            () -> CasCounter.State.decode("total=3\na=1\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("inconsistent");
    assertThatThrownBy(() -> CasCounter.State.decode("{\"x\":1}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not a counter");
  }

  @Test
  void sequentialIncrementsAddUp() {
    CasCounter c = new CasCounter(new MemoryObjectStore(), "c");
    c.initialize();
    c.initialize();
    c.increment("a", 3);
    c.increment("b", 2);
    c.increment("a", 1);
    assertThat(c.read().total()).isEqualTo(6);
    assertThat(c.perWriter()).containsEntry("a", 4L).containsEntry("b", 2L);
  }

  /** A store that acknowledges every third replace without writing it: a lost update. */
  @Test
  void detectsAnAcknowledgedWriteThatWasLost() {
    AtomicInteger replaces = new AtomicInteger();
    ObjectStore lossy =
        new DelegatingObjectStore(new MemoryObjectStore()) {
          @Override
          public Version replace(String key, byte[] data, Version expected) {
            if (replaces.incrementAndGet() % 3 == 0) {
              return expected;
            }
            return super.replace(key, data, expected);
          }
        };
    CasCounter c = new CasCounter(lossy, "c");
    c.initialize();
    assertThatThrownBy(() -> c.increment("a", 10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lost or duplicated");
  }
}
