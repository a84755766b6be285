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

/** The engine's promises under injected storage faults: nothing acknowledged is lost or doubled. */
class GroupCommitGuaranteesTest {

  private static final String KEY = "queues/faulty.json";

  @Test
  void everyAcknowledgedPushIsPresentExactlyOnceDespiteFaults() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    FaultInjectingStore faulty =
        FaultInjectingStore.builder(memory)
            .seed(42)
            .failBeforeWrite(0.10)
            .failAfterWrite(0.10)
            .failReads(0.05)
            .build();
    int threads = 64;
    int perThread = 10_000 / threads + 1;
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Map<String, String> idOfPayload = new ConcurrentHashMap<>();
    try (JobQueue q = JobQueue.open(new StoreLocation(faulty, KEY), QueueOptions.defaults())) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String payload = "{\"t\":" + thread + ",\"i\":" + i + "}";
            String key = "k-" + thread + "-" + i;
            // a client retries with the same key until it gets an answer
            while (true) {
              try {
                PushResult r = q.push(PushRequest.of(payload).withIdempotencyKey(key)).get();
                acknowledged.add(payload);
                idOfPayload.put(payload, r.jobId());
                break;
              } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(dev.casq.storage.CasqException.class);
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(5, TimeUnit.MINUTES);
      }
      pool.shutdown();
      assertThat(faulty.faultsInjected()).isGreaterThan(10);
    }
    // read back what is durable, with a fresh engine on the fault-free store
    try (JobQueue fresh = JobQueue.open(new StoreLocation(memory, KEY), QueueOptions.defaults())) {
      QueueState s = StateCodec.decode(memory.read(KEY).orElseThrow().data());
      Map<String, Integer> copies = new HashMap<>();
      for (Job j : s.liveJobs()) {
        copies.merge(j.payloadJson(), 1, Integer::sum);
      }
      assertThat(acknowledged).hasSize(threads * perThread);
      for (String payload : acknowledged) {
        assertThat(copies.get(payload)).as(payload).isEqualTo(1);
      }
      assertThat(copies).hasSize(acknowledged.size());
      assertThat(fresh.stats().get().counters().pushed()).isEqualTo(acknowledged.size());
    }
  }

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
}
