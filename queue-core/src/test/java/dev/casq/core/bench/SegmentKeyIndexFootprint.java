package dev.casq.core.bench;

import dev.casq.core.QueueOptions;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Heap an engine needs for a segmented backlog: pushes {@code jobs} jobs (with or without
 * idempotency keys) into a mem:// queue with segments, then measures the heap of a freshly opened
 * engine on it (which indexes the keys of every segment, and caches at most a few segments).
 *
 * <p>Run: {@code java -Xmx4g -cp "$CP" dev.casq.core.bench.SegmentKeyIndexFootprint 1000000 2000}
 */
public final class SegmentKeyIndexFootprint {
  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(args[0]);
    int headMax = Integer.parseInt(args[1]);
    for (boolean keys : new boolean[] {false, true}) {
      MemoryObjectStore store = new MemoryObjectStore();
      StoreLocation loc = new StoreLocation(store, "q.json");
      QueueOptions options = QueueOptions.builder().headMaxReadyJobs(headMax).build();
      try (JobQueue q = JobQueue.open(loc, options)) {
        for (int from = 0; from < jobs; from += 100_000) {
          List<CompletableFuture<?>> batch = new ArrayList<>();
          for (int i = from; i < Math.min(jobs, from + 100_000); i++) {
            PushRequest r =
                PushRequest.of("{\"to\":\"user" + i + "@example.com\",\"n\":" + i + "}");
            batch.add(q.push(keys ? r.withIdempotencyKey("order-" + i + "-" + (i * 7919L)) : r));
          }
          CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get();
        }
      }
      long before = used();
      long started = System.nanoTime();
      try (JobQueue q = JobQueue.open(loc, options)) {
        q.stats().get();
        long opened = (System.nanoTime() - started) / 1_000_000;
        long after = used();
        System.out.printf(
            "jobs=%d keys=%s headMax=%d engine heap=%.1f MB (%.0f bytes/job)"
                + " open=%d ms ready=%d%n",
            jobs,
            keys,
            headMax,
            (after - before) / 1e6,
            (after - before) / (double) jobs,
            opened,
            q.stats().get().ready());
      }
    }
  }

  private static long used() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200); // let the collector finish: a measurement, not synchronisation
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
