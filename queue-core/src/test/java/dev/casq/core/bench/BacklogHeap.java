package dev.casq.core.bench;

import dev.casq.api.ClaimRequest;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import dev.casq.core.internal.StateCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Whether an engine with the default options (segments on) serves a deep backlog in a small heap:
 * pushes {@code jobs} jobs without idempotency keys into a durable file:// queue, then claims and
 * completes {@code drain} of them, and reports the fill time, the live heap after each step, the
 * head's size and how many segments it names.
 *
 * <p>Run: {@code java -Xmx512m -XX:+UseParallelGC -cp "$CP" dev.casq.core.bench.BacklogHeap 1000000
 * 20000}
 */
public final class BacklogHeap {
  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(args[0]);
    int drain = Integer.parseInt(args[1]);
    Path dir = Files.createTempDirectory("casq-heap");
    String uri = dir.toUri() + "q.json";
    long started = System.nanoTime();
    try (JobQueue q = JobQueue.open(uri, QueueOptions.defaults())) {
      for (int from = 0; from < jobs; from += 50_000) {
        List<CompletableFuture<?>> batch = new ArrayList<>();
        for (int i = from; i < Math.min(jobs, from + 50_000); i++) {
          batch.add(
              q.push(
                  PushRequest.of(
                      "{\"to\":\"user"
                          + i
                          + "@example.com\",\"subject\":\"hello\",\"n\":"
                          + i
                          + "}")));
        }
        CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get();
      }
      long filled = (System.nanoTime() - started) / 1_000_000;
      report("filled in " + filled + " ms", q, dir);
      int done = 0;
      long drainStart = System.nanoTime();
      while (done < drain) {
        List<Job> claimed =
            q.claim(new ClaimRequest("heap", Duration.ofMinutes(5), 100, null)).get();
        List<CompletableFuture<?>> completions = new ArrayList<>();
        for (Job j : claimed) {
          completions.add(q.complete(j.id(), j.lease().token(), null));
        }
        CompletableFuture.allOf(completions.toArray(CompletableFuture[]::new)).get();
        done += claimed.size();
      }
      long drained = (System.nanoTime() - drainStart) / 1_000_000;
      report("claimed and completed " + done + " in " + drained + " ms", q, dir);
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void report(String what, JobQueue q, Path dir) throws Exception {
    byte[] head = Files.readAllBytes(dir.resolve("q.json"));
    var state = StateCodec.decode(head);
    System.out.printf(
        "%s: pending=%d head=%d bytes, %d segments named, live heap %d MB" + " (max %d MB)%n",
        what,
        q.stats().get().pending(),
        head.length,
        state.segments().size(),
        usedMb(),
        Runtime.getRuntime().maxMemory() >> 20);
  }

  private static long usedMb() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200); // let the collector finish: a measurement, not synchronisation
    }
    Runtime r = Runtime.getRuntime();
    return (r.totalMemory() - r.freeMemory()) >> 20;
  }
}
