package dev.casq.storage.gcs;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.Stores;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import dev.casq.storage.gcs.testserver.GcsTestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Measures compare-and-swap on {@code gs://} through the official client against the loopback GCS
 * JSON API test server, with {@code gcs.min-write-interval=0}.
 *
 * <ul>
 *   <li>sequential: one writer chains replaces; latency of each replace (one HTTP request) and of
 *       each read (metadata + bytes, two requests);
 *   <li>contended: T writers run read-modify-replace loops on one object for a fixed time;
 *       successful commits per second and the latency of a whole successful increment.
 * </ul>
 *
 * <p>Run: {@code mvn -B -o -q -pl storage-gcs test-compile exec:java
 * -Dexec.mainClass=dev.casq.storage.gcs.GcsCasBenchmark -Dexec.classpathScope=test
 * [-Dexec.args="SECONDS OBJECT_BYTES THREADS..."]}
 */
public final class GcsCasBenchmark {
  private GcsCasBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int objectBytes = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    List<Integer> threadCounts = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      threadCounts.add(Integer.parseInt(args[i]));
    }
    if (threadCounts.isEmpty()) {
      threadCounts = List.of(1, 4, 16);
    }
    try (GcsTestServer server = GcsTestServer.start()) {
      server.createBucket("bench");
      try (ObjectStore store =
          Stores.open(
                  "gs://bench/bench.json",
                  Map.of(
                      GcsStoreConfig.HOST, server.baseUrl(),
                      GcsStoreConfig.NO_AUTH, "true",
                      GcsStoreConfig.MIN_WRITE_INTERVAL, "0s"))
              .store()) {
        System.out.printf(
            Locale.ROOT, "gs:// CAS on the loopback test server, %d-byte object%n", objectBytes);
        sequential(store, seconds, objectBytes);
        for (int threads : threadCounts) {
          contended(store, seconds, objectBytes, threads);
        }
      }
    }
  }

  private static void sequential(ObjectStore store, int seconds, int objectBytes) {
    String key = "sequential.json";
    Version v = store.create(key, payload(objectBytes, 0));
    warmUp(store, key, v, objectBytes);
    v = store.read(key).orElseThrow().version();
    List<Long> replaces = new ArrayList<>();
    List<Long> reads = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long n = 0;
    long started = System.nanoTime();
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      v = store.replace(key, payload(objectBytes, ++n), v);
      long t1 = System.nanoTime();
      VersionedBytes read = store.read(key).orElseThrow();
      long t2 = System.nanoTime();
      if (!read.version().equals(v)) {
        throw new IllegalStateException("read " + read.version() + " after writing " + v);
      }
      replaces.add(t1 - t0);
      reads.add(t2 - t1);
    }
    double elapsed = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "sequential: %d replaces in %.1f s; replace p50 %.2f ms p99 %.2f ms; "
            + "read p50 %.2f ms p99 %.2f ms; %.0f replace+read cycles/s%n",
        n,
        elapsed,
        ms(replaces, 50),
        ms(replaces, 99),
        ms(reads, 50),
        ms(reads, 99),
        n / elapsed);
  }

  private static void warmUp(ObjectStore store, String key, Version v, int objectBytes) {
    for (int i = 0; i < 300; i++) {
      v = store.replace(key, payload(objectBytes, -i - 1), v);
      store.read(key);
    }
  }

  private static void contended(ObjectStore store, int seconds, int objectBytes, int threads)
      throws Exception {
    String key = "contended-" + threads + ".json";
    store.create(key, payload(objectBytes, 0));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      List<Future<long[]>> futures = new ArrayList<>();
      List<List<Long>> latencies = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Long> mine = new ArrayList<>();
        latencies.add(mine);
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  long commits = 0;
                  long lost = 0;
                  while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    while (true) {
                      VersionedBytes current = store.read(key).orElseThrow();
                      try {
                        store.replace(key, payload(objectBytes, commits + 1), current.version());
                        break;
                      } catch (PreconditionFailedException e) {
                        lost++;
                      }
                    }
                    mine.add(System.nanoTime() - t0);
                    commits++;
                  }
                  return new long[] {commits, lost};
                }));
      }
      long started = System.nanoTime();
      go.countDown();
      long commits = 0;
      long lost = 0;
      for (Future<long[]> f : futures) {
        long[] r = f.get(seconds + 60L, TimeUnit.SECONDS);
        commits += r[0];
        lost += r[1];
      }
      double elapsed = (System.nanoTime() - started) / 1e9;
      List<Long> all = new ArrayList<>();
      latencies.forEach(all::addAll);
      System.out.printf(
          Locale.ROOT,
          "contended %2d writers: %.0f commits/s, %d lost races; increment (read+CAS, with"
              + " retries) p50 %.2f ms p99 %.2f ms%n",
          threads,
          commits / elapsed,
          lost,
          ms(all, 50),
          ms(all, 99));
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] payload(int size, long n) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) ' ');
    byte[] head = ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, b, 0, Math.min(head.length, size));
    return b;
  }

  private static double ms(List<Long> nanos, int percentile) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }
}
