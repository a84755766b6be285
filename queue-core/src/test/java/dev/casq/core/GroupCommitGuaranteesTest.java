package dev.casq.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.tck.FaultInjectingStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Several engines on one object settle their races by compare-and-swap. */
class GroupCommitGuaranteesTest {

  @Test
  void twoEnginesOnOneObjectStayCorrect() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    String key = "queues/" + UUID.randomUUID() + ".json";
    try (JobQueue a = JobQueue.open(new StoreLocation(memory, key), QueueOptions.defaults());
        JobQueue b = JobQueue.open(new StoreLocation(memory, key), QueueOptions.defaults())) {
      List<java.util.concurrent.CompletableFuture<PushResult>> futures = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        futures.add((i % 2 == 0 ? a : b).push(PushRequest.of(Integer.toString(i))));
      }
      Set<String> ids = new java.util.HashSet<>();
      for (var f : futures) {
        ids.add(f.get(1, TimeUnit.MINUTES).jobId());
      }
      assertThat(ids).hasSize(2000);
      // claims from both engines never hand one job out twice
      Set<String> claimed = new java.util.HashSet<>();
      int got;
      do {
        got = 0;
        for (JobQueue q : List.of(a, b)) {
          for (Job j : q.claim(new ClaimRequest("w", Duration.ofMinutes(5), 100, null)).get()) {
            assertThat(claimed.add(j.id())).as("claimed twice: " + j.id()).isTrue();
            got++;
          }
        }
      } while (got > 0);
      assertThat(claimed).isEqualTo(ids);
      assertThat(a.engine().metrics().conflicts() + b.engine().metrics().conflicts())
          .isGreaterThan(0);
    }
  }

  @Test
  void closeLetsTheWriteInFlightFinishAndRefusesNewRequests() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    String key = "queues/" + UUID.randomUUID() + ".json";
    java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    dev.casq.storage.ObjectStore slow =
        new dev.casq.storage.tck.DelegatingObjectStore(
            dev.casq.storage.tck.LatencyInjectingStore.of(memory, Duration.ofMillis(300))) {
          @Override
          public dev.casq.storage.Version replace(
              String k, byte[] data, dev.casq.storage.Version expected) {
            writing.countDown();
            return super.replace(k, data, expected);
          }
        };
    JobQueue q = JobQueue.open(new StoreLocation(slow, key), QueueOptions.defaults());
    java.util.concurrent.CompletableFuture<PushResult> inFlight = q.push(PushRequest.of("1"));
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    q.close();
    assertThat(inFlight.get(5, TimeUnit.SECONDS).jobId()).isNotBlank();
    assertThat(StateCodec.decode(memory.read(key).orElseThrow().data()).liveJobs()).hasSize(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.push(PushRequest.of("2")).get())
        .hasCauseInstanceOf(QueueClosedException.class);
  }
}
