package dev.casq.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyInjectingStoreTest {
  private final List<String> events = new ArrayList<>();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A sleeper that records instead of sleeping. */
  private LatencyInjectingStore.Sleeper recording() {
    return d -> events.add("sleep " + d.toMillis());
  }

  @Test
  void spendsHalfTheLatencyBeforeAndHalfAfterTheCall() {
    MemoryObjectStore mem = new MemoryObjectStore();
    LatencyInjectingStore store =
        LatencyInjectingStore.builder(
                new DelegatingObjectStore(mem) {
                  @Override
                  public dev.casq.storage.Version put(String key, byte[] data) {
                    events.add("put " + key);
                    return super.put(key, data);
                  }
                })
            .latency(Duration.ofMillis(100))
            .sleeper(recording())
            .build();
    store.put("k", utf8("x"));
    assertThat(events).containsExactly("sleep 50", "put k", "sleep 50");
    events.clear();
    store.read("k");
    store.list("");
    assertThat(events).containsExactly("sleep 50", "sleep 50", "sleep 50", "sleep 50");
  }

  @Test
  void writesOnlyLeavesReadsFast() {
    MemoryObjectStore mem = new MemoryObjectStore();
    LatencyInjectingStore store =
        LatencyInjectingStore.builder(mem)
            .latency(Duration.ofMillis(10))
            .writesOnly()
            .sleeper(recording())
            .build();
    store.create("k", utf8("x"));
    store.read("k");
    store.list("");
    store.delete("k");
    assertThat(events).containsExactly("sleep 5", "sleep 5", "sleep 5", "sleep 5");
  }

  @Test
  void errorAnswersAreDelayedToo() {
    MemoryObjectStore mem = new MemoryObjectStore();
    mem.create("k", utf8("x"));
    LatencyInjectingStore store =
        LatencyInjectingStore.builder(mem)
            .latency(Duration.ofMillis(20))
            .sleeper(recording())
            .build();
    assertThatThrownBy(() -> store.create("k", utf8("y")))
        .isInstanceOf(dev.casq.storage.PreconditionFailedException.class);
    assertThat(events).containsExactly("sleep 10", "sleep 10");
  }

  @Test
  void jitterStaysWithinBoundsAndFollowsTheSeed() {
    List<Long> first = jitteredLatencies(5);
    List<Long> again = jitteredLatencies(5);
    assertThat(first).isEqualTo(again);
    assertThat(first).allMatch(n -> n >= 30_000_000L && n <= 40_000_000L);
    assertThat(first.stream().distinct().count()).isGreaterThan(1);
    assertThat(jitteredLatencies(6)).isNotEqualTo(first);
  }

  private static List<Long> jitteredLatencies(long seed) {
    List<Long> totals = new ArrayList<>();
    long[] sum = new long[1];
    LatencyInjectingStore store =
        LatencyInjectingStore.builder(new MemoryObjectStore())
            .latency(Duration.ofMillis(30))
            .jitter(Duration.ofMillis(10))
            .seed(seed)
            .sleeper(d -> sum[0] += d.toNanos())
            .build();
    for (int i = 0; i < 20; i++) {
      sum[0] = 0;
      store.read("k");
      totals.add(sum[0]);
    }
    return totals;
  }

  @Test
  void reallyTakesAtLeastTheLatency() {
    LatencyInjectingStore store =
        LatencyInjectingStore.of(new MemoryObjectStore(), Duration.ofMillis(30));
    long start = System.nanoTime();
    store.put("k", utf8("x"));
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
    assertThat(store.describe()).contains("mem://", "30ms");
  }

  @Test
  void interruptBeforeTheCallWritesNothing() {
    MemoryObjectStore mem = new MemoryObjectStore();
    LatencyInjectingStore store =
        LatencyInjectingStore.builder(mem).latency(Duration.ofSeconds(10)).build();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> store.put("k", utf8("x")))
          .isInstanceOf(StorageException.class)
          .isNotInstanceOf(OutcomeUnknownException.class)
          .hasMessageContaining("interrupted before");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(mem.read("k")).isEmpty();
  }

  @Test
  void interruptAfterAWriteWasSentIsAnUnknownOutcome() {
    MemoryObjectStore mem = new MemoryObjectStore();
    int[] sleeps = new int[1];
    LatencyInjectingStore store =
        LatencyInjectingStore.builder(mem)
            .latency(Duration.ofMillis(10))
            .sleeper(
                d -> {
                  if (++sleeps[0] == 2) {
                    throw new InterruptedException();
                  }
                })
            .build();
    try {
      assertThatThrownBy(() -> store.create("k", utf8("x")))
          .isInstanceOf(OutcomeUnknownException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(mem.read("k")).isPresent();
  }

  @Test
  void rejectsNegativeDurations() {
    assertThatThrownBy(
            () ->
                LatencyInjectingStore.builder(new MemoryObjectStore())
                    .latency(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("latency");
  }
}
