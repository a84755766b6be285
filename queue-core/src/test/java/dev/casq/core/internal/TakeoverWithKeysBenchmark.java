package dev.casq.core.internal;

import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import dev.casq.core.QueuePolicy;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Time from opening a queue whose dedupe window holds {@code keys} keys (in key index objects of
 * {@code perArchive} keys each, on file://) to the first acknowledged keyed push, which must be
 * answered as a duplicate: what a broker taking over pays before it serves. The archives' job
 * objects are not written (the engine reads only the key indexes). Several runs, each a fresh
 * engine; the heap the engine holds afterwards is printed too.
 *
 * <p>Run (the directory must not hold a queue; runs must end within the 4 minutes the oldest key
 * has left after the build): {@code java -Xmx2g -XX:+UseParallelGC -cp "$CP"
 * dev.casq.core.internal.TakeoverWithKeysBenchmark /tmp/casq-takeover 3000000 1000 5}
 */
public final class TakeoverWithKeysBenchmark {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int keys = Integer.parseInt(args[1]);
    int perArchive = Integer.parseInt(args[2]);
    int runs = Integer.parseInt(args[3]);
    if (Files.exists(dir.resolve("q.json"))) {
      throw new IllegalStateException(dir + " holds a queue already: give an empty directory");
    }
    Files.createDirectories(dir);
    String uri = dir.toUri() + "q.json";
    build(uri, keys, perArchive, Instant.now()); // fresh: every key is inside the window
    List<Long> times = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      long before = used();
      long started = System.nanoTime();
      try (JobQueue q = JobQueue.open(uri, QueueOptions.defaults())) {
        PushResult r = q.push(PushRequest.of("{}").withIdempotencyKey("key-" + (keys - 1))).get();
        long ms = (System.nanoTime() - started) / 1_000_000;
        if (!r.duplicate()) {
          throw new IllegalStateException("the key was not remembered: " + r);
        }
        long heap = used() - before;
        times.add(ms);
        System.out.printf(
            "run %d: keys=%d first keyed push acknowledged after %d ms,"
                + " engine heap %.1f MB (%.1f bytes/key)%n",
            run, keys, ms, heap / 1e6, heap / (double) keys);
      }
    }
    Collections.sort(times);
    System.out.printf("median of %d runs: %d ms%n", runs, times.get(times.size() / 2));
  }

  private static void build(String uri, int keys, int perArchive, Instant now) throws Exception {
    try (StoreLocation loc = Stores.open(uri, Map.of())) {
      ObjectStore store = loc.store();
      QueueState s = QueueState.empty();
      Duration window = QueuePolicy.DEFAULT_IDEMPOTENCY_RETENTION;
      int archives = (keys + perArchive - 1) / perArchive;
      long seq = 1;
      for (int a = 0; a < archives; a++) {
        // finished over the last minute, oldest first: all stay in the 5-minute window for the
        // 4 minutes the runs may take
        Instant at = now.minus(Duration.ofMinutes(1)).plusMillis(60_000L * a / archives);
        int n = Math.min(perArchive, keys - a * perArchive);
        List<Job> jobs = new ArrayList<>(n);
        for (int i = 0; i < n; i++, seq++) {
          jobs.add(
              new Job(
                  "j" + seq,
                  seq,
                  null,
                  "{}",
                  0,
                  at,
                  1,
                  5,
                  at,
                  "key-" + (seq - 1),
                  JobStatus.COMPLETED,
                  null,
                  null,
                  at,
                  null));
        }
        String archiveKey = loc.key() + ".archive/bench/" + a + "-x.json";
        store.put(
            KeyIndexObject.keyFor(archiveKey),
            KeyIndexObject.encode(KeyIndexObject.of(jobs, KeyHasher.MURMUR3)));
        s.archives.add(new QueueState.ArchiveRef(archiveKey, n, at));
      }
      s.nextSeq = seq;
      s.recordCommit(1, "bench", now);
      store.create(loc.key(), StateCodec.encode(s));
      System.out.printf(
          "wrote %d key index objects (%d keys, window %s)%n", archives, keys, window);
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
