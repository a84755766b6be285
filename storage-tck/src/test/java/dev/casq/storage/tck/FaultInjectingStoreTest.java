package dev.casq.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.StorageException;
import dev.casq.storage.Version;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FaultInjectingStoreTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void faultBeforeWriteWritesNothing() {
    MemoryObjectStore mem = new MemoryObjectStore();
    FaultInjectingStore store = FaultInjectingStore.builder(mem).failBeforeWrite(1.0).build();
    assertThatThrownBy(() -> store.create("k", utf8("x")))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("before");
    assertThatThrownBy(() -> store.put("p", utf8("x"))).isInstanceOf(OutcomeUnknownException.class);
    assertThat(mem.read("k")).isEmpty();
    assertThat(mem.read("p")).isEmpty();
    assertThat(store.faultsBeforeWrite()).isEqualTo(2);
    assertThat(store.faultsAfterWrite()).isZero();
  }

  @Test
  void faultAfterWriteLandsTheWrite() {
    MemoryObjectStore mem = new MemoryObjectStore();
    FaultInjectingStore store = FaultInjectingStore.builder(mem).failAfterWrite(1.0).build();
    assertThatThrownBy(() -> store.create("k", utf8("x")))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("after");
    assertThat(mem.read("k").orElseThrow().data()).isEqualTo(utf8("x"));
    Version v = mem.read("k").orElseThrow().version();
    assertThatThrownBy(() -> store.replace("k", utf8("y"), v))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(mem.read("k").orElseThrow().data()).isEqualTo(utf8("y"));
    assertThat(store.faultsAfterWrite()).isEqualTo(2);
    assertThat(store.faultsAfterLandedWrite()).isEqualTo(2);
  }

  @Test
  void faultAfterALostRaceIsUnknownAndWritesNothing() {
    MemoryObjectStore mem = new MemoryObjectStore();
    Version v1 = mem.create("k", utf8("one"));
    mem.replace("k", utf8("two"), v1);
    FaultInjectingStore store = FaultInjectingStore.builder(mem).failAfterWrite(1.0).build();
    assertThatThrownBy(() -> store.replace("k", utf8("stale"), v1))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(mem.read("k").orElseThrow().data()).isEqualTo(utf8("two"));
    assertThat(store.faultsAfterWrite()).isEqualTo(1);
    assertThat(store.faultsAfterLandedWrite()).isZero();
  }

  @Test
  void readFailuresAffectReadsAndLists() {
    MemoryObjectStore mem = new MemoryObjectStore();
    mem.create("k", utf8("x"));
    FaultInjectingStore store = FaultInjectingStore.builder(mem).failReads(1.0).build();
    assertThatThrownBy(() -> store.read("k"))
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(OutcomeUnknownException.class);
    assertThatThrownBy(() -> store.list("")).isInstanceOf(StorageException.class);
    assertThat(store.readFailures()).isEqualTo(2);
    store.put("p", utf8("writes are not affected"));
    assertThat(mem.read("p")).isPresent();
  }

  @Test
  void canBeSwitchedOffAndOn() {
    MemoryObjectStore mem = new MemoryObjectStore();
    FaultInjectingStore store =
        FaultInjectingStore.builder(mem).failBeforeWrite(1.0).failReads(1.0).build();
    store.setEnabled(false);
    Version v = store.create("k", utf8("x"));
    assertThat(store.read("k").orElseThrow().version()).isEqualTo(v);
    assertThat(store.faultsInjected()).isZero();
    store.setEnabled(true);
    assertThatThrownBy(() -> store.replace("k", utf8("y"), v))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(store.faultsInjected()).isEqualTo(1);
  }

  @Test
  void scheduledFaultsApplyInOrderEvenWhenRandomFaultsAreOff() {
    MemoryObjectStore mem = new MemoryObjectStore();
    FaultInjectingStore store = FaultInjectingStore.builder(mem).build();
    store.setEnabled(false);
    store.failNextWrite(FaultInjectingStore.Fault.AFTER_WRITE);
    store.failNextWrite(FaultInjectingStore.Fault.BEFORE_WRITE);
    assertThatThrownBy(() -> store.create("a", utf8("a")))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThatThrownBy(() -> store.create("b", utf8("b")))
        .isInstanceOf(OutcomeUnknownException.class);
    store.create("c", utf8("c"));
    assertThat(mem.read("a")).isPresent();
    assertThat(mem.read("b")).isEmpty();
    assertThat(mem.read("c")).isPresent();
  }

  @Test
  void conditionalWritesOnlyLeavesPutAndDeleteAlone() {
    MemoryObjectStore mem = new MemoryObjectStore();
    FaultInjectingStore store =
        FaultInjectingStore.builder(mem).failBeforeWrite(1.0).conditionalWritesOnly().build();
    store.put("p", utf8("x"));
    store.delete("p");
    assertThatThrownBy(() -> store.create("k", utf8("x")))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(store.faultsBeforeWrite()).isEqualTo(1);
  }

  @Test
  void sameSeedGivesTheSameFaultsAndOtherSeedsDiffer() {
    assertThat(faultPattern(42)).isEqualTo(faultPattern(42));
    assertThat(faultPattern(42)).isNotEqualTo(faultPattern(43));
    String pattern = faultPattern(7);
    assertThat(pattern).contains("B", "A", ".");
  }

  /** One letter per write: B before, A after, '.' none; 200 puts at 30% + 30%. */
  private static String faultPattern(long seed) {
    FaultInjectingStore store =
        FaultInjectingStore.builder(new MemoryObjectStore())
            .seed(seed)
            .failBeforeWrite(0.3)
            .failAfterWrite(0.3)
            .build();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      long before = store.faultsBeforeWrite();
      long after = store.faultsAfterWrite();
      try {
        store.put("k" + i, utf8("x"));
        sb.append('.');
      } catch (OutcomeUnknownException e) {
        sb.append(
            store.faultsBeforeWrite() > before
                ? 'B'
                : store.faultsAfterWrite() > after ? 'A' : '?');
      }
    }
    return sb.toString();
  }

  @Test
  void rejectsBadProbabilities() {
    MemoryObjectStore mem = new MemoryObjectStore();
    assertThatThrownBy(() -> FaultInjectingStore.builder(mem).failBeforeWrite(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("failBeforeWrite");
    assertThatThrownBy(() -> FaultInjectingStore.builder(mem).failReads(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> FaultInjectingStore.builder(mem).failBeforeWrite(0.6).failAfterWrite(0.6).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exceed 1");
  }

  /** The CAS counter stays exact when a fifth of the writes fail before or after landing. */
  @Test
  void casCounterStaysExactUnderFaults() throws Exception {
    FaultInjectingStore store =
        FaultInjectingStore.builder(new MemoryObjectStore())
            .seed(2026)
            .failBeforeWrite(0.1)
            .failAfterWrite(0.1)
            .failReads(0.05)
            .build();
    CasCounter counter = new CasCounter(store, "counter");
    store.setEnabled(false);
    counter.initialize();
    store.setEnabled(true);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<CasCounter.Stats>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        String writer = "w" + t;
        futures.add(pool.submit(() -> counter.increment(writer, 100)));
      }
      long unknownLanded = 0;
      for (Future<CasCounter.Stats> f : futures) {
        unknownLanded += f.get(1, TimeUnit.MINUTES).unknownThatLanded();
      }
      store.setEnabled(false);
      assertThat(counter.read().total()).isEqualTo(800);
      assertThat(counter.perWriter().values()).containsOnly(100L);
      assertThat(store.faultsBeforeWrite()).isPositive();
      assertThat(store.faultsAfterLandedWrite()).isPositive();
      assertThat(store.readFailures()).isPositive();
      assertThat(unknownLanded).isEqualTo(store.faultsAfterLandedWrite());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void racingRoundsStayCorrectUnderFaults() throws Exception {
    FaultInjectingStore store =
        FaultInjectingStore.builder(new MemoryObjectStore())
            .seed(99)
            .failBeforeWrite(0.2)
            .failAfterWrite(0.2)
            .build();
    RacingRounds.Summary s = RacingRounds.run(store, "race", 6, 40);
    assertThat(s.unknown()).isPositive();
    assertThat(s.unknownWinners()).isPositive();
    assertThat(s.won() + s.unknownWinners()).isEqualTo(s.decided());
  }
}
