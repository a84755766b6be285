package dev.casq.core.internal;

import dev.casq.api.ClaimRequest;
import dev.casq.core.QueueOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * What finding an archived job by id costs when a queue has many archives: builds {@code archives}
 * archive objects of {@code perArchive} jobs each on file:// (one job in 10 dead), then looks up
 * random archived ids with a fresh engine (cold caches) and prints per lookup the store listings,
 * the objects read and the time (median and 99th percentile), and what the history indexes cost on
 * the archive write path (objects and bytes per archive).
 *
 * <p>Run: {@code java -cp "$CP" dev.casq.core.internal.HistoryLookupBenchmark /tmp/casq-history
 * 2000 100 500} (directory, archives, jobs per archive, lookups).
 */
public final class HistoryLookupBenchmark {
  private HistoryLookupBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int archives = Integer.parseInt(args[1]);
    int perArchive = Integer.parseInt(args[2]);
    int lookups = Integer.parseInt(args[3]);
    Files.createDirectories(dir);
    String uri = dir.toUri() + "q.json";
    QueueOptions options =
        QueueOptions.builder()
            .archive(perArchive, Duration.ofHours(1))
            .storeProperties(Map.of("file.fsync", "false"))
            .build();
    long started = System.nanoTime();
    long jobs = 0;
    try (JobQueue q = JobQueue.open(uri, options)) {
      for (int a = 0; a < archives; a++) {
        List<CompletableFuture<?>> pushes = new ArrayList<>();
        for (int i = 0; i < perArchive; i++) {
          pushes.add(
              q.push(
                  new PushRequest(
                      "{\"n\":" + (jobs + i) + "}", "t" + (i % 3), null, null, null, 1, null)));
        }
        CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).join();
        List<Job> leased = q.claim(new ClaimRequest("w", null, perArchive, null)).join();
        List<CompletableFuture<?>> done = new ArrayList<>();
        for (Job j : leased) {
          done.add(
              j.seq() % 10 == 0
                  ? q.fail(j.id(), j.lease().token(), "boom", false)
                  : q.complete(j.id(), j.lease().token(), null));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        jobs += perArchive;
      }
      q.push(new PushRequest("{}", null, null, null, null, null, null)).join();
    }
    long archiveObjects = count(dir.resolve("q.json.archive"));
    long historyObjects = count(dir.resolve("q.json.history"));
    long historyBytes = bytes(dir.resolve("q.json.history"));
    System.out.printf(
        "built %d jobs in %d archives (%d jobs each) in %d s; history indexes: %d objects,"
            + " %.2f per archive, %d bytes per archive (%.1f per job)%n",
        jobs,
        archiveObjects,
        perArchive,
        (System.nanoTime() - started) / 1_000_000_000,
        historyObjects,
        historyObjects / (double) archiveObjects,
        historyBytes / archiveObjects,
        historyBytes / (double) jobs);

    Random random = new Random(42);
    List<Long> micros = new ArrayList<>();
    long listings = 0;
    long reads = 0;
    try (JobQueue q = JobQueue.open(uri, options)) {
      q.stats().join(); // the engine has read the queue object
      History h = q.history().archives();
      for (int i = 0; i < lookups; i++) {
        long seq = 1 + (long) (random.nextDouble() * jobs);
        long l0 = h.listings();
        long r0 = h.objectReads();
        long t0 = System.nanoTime();
        Job j = q.get("j" + seq).join();
        micros.add((System.nanoTime() - t0) / 1_000);
        listings += h.listings() - l0;
        reads += h.objectReads() - r0;
        if (j.seq() != seq || !j.status().isFinished()) {
          throw new IllegalStateException("found " + j + " for j" + seq);
        }
      }
      Collections.sort(micros);
      System.out.printf(
          "lookup by id of %d random archived jobs: %.2f listings and %.2f object reads per"
              + " lookup; median %.2f ms, p99 %.2f ms%n",
          lookups,
          listings / (double) lookups,
          reads / (double) lookups,
          micros.get(micros.size() / 2) / 1000.0,
          micros.get(micros.size() * 99 / 100) / 1000.0);

      long l0 = h.listings();
      long r0 = h.objectReads();
      long t0 = System.nanoTime();
      JobHistory.Page p =
          q.history().list(new HistoryFilter(JobStatus.DEAD, null, null, null), null, 100).join();
      System.out.printf(
          "first page of 100 dead jobs: %d listings, %d object reads, %d ms%n",
          h.listings() - l0, h.objectReads() - r0, (System.nanoTime() - t0) / 1_000_000);
      if (p.jobs().size() != Math.min(100, jobs / 10)) {
        throw new IllegalStateException("listed " + p.jobs().size() + " dead jobs");
      }
    }
  }

  private static long count(Path p) throws Exception {
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  private static long bytes(Path p) throws Exception {
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
