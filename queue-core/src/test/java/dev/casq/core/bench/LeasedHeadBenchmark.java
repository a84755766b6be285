package dev.casq.core.bench;

import dev.casq.api.ClaimRequest;
import dev.casq.core.QueueOptions;
import dev.casq.core.QueuePolicy;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * A drainer claiming many jobs at once: pushes {@code n} jobs with ~300-byte payloads into an
 * embedded queue on file:// (fsync on), claims them all in claims of 1,000 (a lease of 10 min), and
 * prints the queue object's size with every job leased, the leased-jobs objects, the time the
 * claims took, and the time a new engine takes to open the queue (a takeover: it reads the head and
 * every leased-jobs object it names). Runs each {@code n} {@code runs} times per head budget and
 * prints the medians.
 *
 * <p>Run: {@code java -cp "$CP" dev.casq.core.bench.LeasedHeadBenchmark 3 6000 18000 50000} (runs,
 * then the numbers of leased jobs); each is run with the budget off (0) and at 1 MiB.
 */
public final class LeasedHeadBenchmark {
  private static final int[] BUDGETS = {0, 1 << 20};

  public static void main(String[] args) throws Exception {
    int runs = Integer.parseInt(args[0]);
    for (int a = 1; a < args.length; a++) {
      int n = Integer.parseInt(args[a]);
      for (int budget : BUDGETS) {
        long[] head = new long[runs];
        long[] objects = new long[runs];
        long[] objectBytes = new long[runs];
        long[] claimMillis = new long[runs];
        long[] openMillis = new long[runs];
        for (int r = 0; r < runs; r++) {
          long[] m = run(n, budget);
          head[r] = m[0];
          objects[r] = m[1];
          objectBytes[r] = m[2];
          claimMillis[r] = m[3];
          openMillis[r] = m[4];
        }
        System.out.printf(
            "leased=%,d budget=%,d head=%,d bytes leased-objects=%d (%,d bytes)"
                + " claims=%,d ms (%,.0f jobs/s) open=%,d ms  [medians of %d]%n",
            n,
            budget,
            median(head),
            median(objects),
            median(objectBytes),
            median(claimMillis),
            n * 1000.0 / Math.max(1, median(claimMillis)),
            median(openMillis),
            runs);
      }
    }
  }

  private static long[] run(int n, int budget) throws Exception {
    Path dir = Files.createTempDirectory("casq-leased");
    String store = dir.toUri() + "q.json";
    QueueOptions options =
        QueueOptions.builder().headMaxBytes(budget).maxLease(Duration.ofHours(1)).build();
    String pad = "x".repeat(240);
    long claimNanos;
    try (JobQueue q = JobQueue.open(store, options)) {
      for (int from = 0; from < n; from += 2_000) {
        List<PushRequest> batch = new ArrayList<>();
        for (int i = from; i < Math.min(n, from + 2_000); i++) {
          batch.add(
              PushRequest.of("{\"to\":\"user" + i + "@example.com\",\"pad\":\"" + pad + "\"}")
                  .withType("email"));
        }
        CompletableFuture.allOf(q.pushAll(batch).toArray(CompletableFuture[]::new)).join();
      }
      long start = System.nanoTime();
      int claimed = 0;
      while (claimed < n) {
        List<Job> got =
            q.claim(
                    new ClaimRequest(
                        "drainer",
                        Duration.ofMinutes(10),
                        Math.min(QueuePolicy.MAX_CLAIM_BATCH, n - claimed),
                        Set.of()))
                .join();
        if (got.isEmpty()) {
          throw new IllegalStateException("claimed " + claimed + " of " + n);
        }
        claimed += got.size();
      }
      claimNanos = System.nanoTime() - start;
      q.push(PushRequest.of("\"one more commit\"")).join();
    }
    long head = Files.size(dir.resolve("q.json"));
    long objects = 0;
    long objectBytes = 0;
    Path leased = dir.resolve("q.json.leased");
    if (Files.isDirectory(leased)) {
      try (Stream<Path> files = Files.list(leased)) {
        for (Path p : files.toList()) {
          objects++;
          objectBytes += Files.size(p);
        }
      }
    }
    long open = System.nanoTime();
    try (JobQueue q = JobQueue.open(store, options)) {
      if (q.stats().join().leased() != n) {
        throw new IllegalStateException(
            "a new engine sees " + q.stats().join().leased() + " leased jobs, not " + n);
      }
    }
    long openNanos = System.nanoTime() - open;
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    return new long[] {head, objects, objectBytes, claimNanos / 1_000_000, openNanos / 1_000_000};
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
