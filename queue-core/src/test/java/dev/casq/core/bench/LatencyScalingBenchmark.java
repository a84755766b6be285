package dev.casq.core.bench;

import dev.casq.core.QueueOptions;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import dev.casq.storage.tck.LatencyInjectingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * How throughput grows with concurrency when every storage call takes {@code latency} (a remote
 * object store): N producers, each pushing again as soon as its previous push is acknowledged
 * (asynchronously: no thread per producer), on file:// (fsync on) behind a latency-injecting store.
 * The commit rate stays near 1/latency while each commit carries more pushes.
 *
 * <p>Run: {@code scripts/bench-main.sh dev.casq.core.bench.LatencyScalingBenchmark [latencyMs]
 * [seconds] [concurrency...]}; defaults 100 ms, 10 s, 1 10 100 1000.
 */
public final class LatencyScalingBenchmark {
  public static void main(String[] args) throws Exception {
    long latencyMs = args.length > 0 ? Long.parseLong(args[0]) : 100;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int[] levels =
        args.length > 2
            ? Arrays.stream(args, 2, args.length).mapToInt(Integer::parseInt).toArray()
            : new int[] {1, 10, 100, 1000};
    System.out.printf(
        "latency %d ms per storage call, %d s per level, file:// with fsync%n", latencyMs, seconds);
    System.out.printf(
        "%12s %12s %12s %14s%n", "producers", "pushes/s", "commits/s", "pushes/commit");
    for (int producers : levels) {
      Path dir = Files.createTempDirectory("casq-latency");
      StoreLocation file = Stores.open(dir.toUri() + "q.json");
      StoreLocation slow =
          new StoreLocation(
              LatencyInjectingStore.of(file.store(), Duration.ofMillis(latencyMs)), file.key());
      try (JobQueue q = JobQueue.open(slow, QueueOptions.builder().build())) {
        LongAdder acked = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        long commits0 = q.engine().metrics().commits();
        long t0 = System.nanoTime();
        for (int p = 0; p < producers; p++) {
          produce(q, acked, running);
        }
        Thread.sleep(seconds * 1000L); // the measurement window itself
        running.set(false);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long commits = q.engine().metrics().commits() - commits0;
        System.out.printf(
            "%12d %12.0f %12.1f %14.1f%n",
            producers,
            acked.sum() / elapsed,
            commits / elapsed,
            acked.sum() / (double) Math.max(1, commits));
      }
      file.close();
    }
  }

  private static void produce(JobQueue q, LongAdder acked, AtomicBoolean running) {
    if (!running.get()) {
      return;
    }
    q.push(PushRequest.of("{\"to\":\"ada@example.com\"}"))
        .whenComplete(
            (r, e) -> {
              if (e == null) {
                acked.increment();
              }
              produce(q, acked, running);
            });
  }
}
