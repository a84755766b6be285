package dev.casq.storage.s3;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.Stores;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * Compare-and-swap latency and commit rate of the s3:// store on one object: a single writer in a
 * CAS loop (each replace uses the version the previous one returned), then several writers racing
 * on the same object (read, replace, re-read on a lost race).
 *
 * <pre>
 * CASQ_TEST_S3_ENDPOINT=http://127.0.0.1:7480 mvn -q -o -pl storage-s3 test-compile exec:java \
 *   -Dexec.classpathScope=test -Dexec.mainClass=dev.casq.storage.s3.S3CasBenchmark \
 *   -Dexec.args="--seconds 10 --bytes 1024 --writers 1,2,4,8"
 * </pre>
 */
public final class S3CasBenchmark {
  private S3CasBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = 10;
    int bytes = 1024;
    int[] writers = {1, 2, 4, 8};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--bytes" -> bytes = Integer.parseInt(args[++i]);
        case "--writers" ->
            writers = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    String endpoint =
        System.getenv().getOrDefault("CASQ_TEST_S3_ENDPOINT", "http://127.0.0.1:7480");
    String access = System.getenv().getOrDefault("CASQ_TEST_S3_ACCESS_KEY", "access");
    String secret = System.getenv().getOrDefault("CASQ_TEST_S3_SECRET_KEY", "secret");
    String bucket = "casq-bench";
    TestBuckets.ensure(URI.create(endpoint), access, secret, bucket);
    Map<String, String> props =
        Map.of("s3.endpoint", endpoint, "s3.access-key", access, "s3.secret-key", secret);

    System.out.printf(
        Locale.ROOT,
        "s3:// CAS on %s, %d-byte objects, %d s per scenario%n",
        endpoint,
        bytes,
        seconds);
    try (ObjectStore store = Stores.open("s3://" + bucket + "/bench/queue.json", props).store()) {
      String key = "bench/queue-" + System.nanoTime() + ".json";
      store.create(key, payload(bytes, "init"));
      singleWriter(store, key, bytes, Duration.ofSeconds(2)); // warm-up
      for (int w : writers) {
        Result r =
            w == 1
                ? singleWriter(store, key, bytes, Duration.ofSeconds(seconds))
                : racingWriters(store, key, bytes, w, Duration.ofSeconds(seconds));
        System.out.println(r.line(w));
      }
      store.delete(key);
    }
  }

  record Result(long commits, long lost, long unknown, double seconds, long[] commitNanos) {
    String line(int writers) {
      long[] sorted = commitNanos.clone();
      Arrays.sort(sorted);
      return String.format(
          Locale.ROOT,
          "writers=%d commits=%d commits/s=%.0f lost=%d unknown=%d"
              + "  successful CAS latency ms: p50=%.2f p90=%.2f p99=%.2f max=%.2f",
          writers,
          commits,
          commits / seconds,
          lost,
          unknown,
          ms(pct(sorted, 50)),
          ms(pct(sorted, 90)),
          ms(pct(sorted, 99)),
          ms(sorted.length == 0 ? 0 : sorted[sorted.length - 1]));
    }
  }

  /** One writer: replace after replace with the version the last one returned; no reads. */
  static Result singleWriter(ObjectStore store, String key, int bytes, Duration d) {
    Version v = store.read(key).orElseThrow().version();
    long[] lat = new long[1 << 20];
    int n = 0;
    long lost = 0;
    long unknown = 0;
    long start = System.nanoTime();
    long end = start + d.toNanos();
    while (System.nanoTime() < end) {
      byte[] data = payload(bytes, "single " + n);
      long t0 = System.nanoTime();
      try {
        v = store.replace(key, data, v);
        lat[n++] = System.nanoTime() - t0;
      } catch (PreconditionFailedException e) {
        lost++;
        v = store.read(key).orElseThrow().version();
      } catch (OutcomeUnknownException e) {
        unknown++;
        v = store.read(key).orElseThrow().version();
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    return new Result(n, lost, unknown, secs, Arrays.copyOf(lat, n));
  }

  /** Several writers on one object: read, replace; a lost race or unknown outcome re-reads. */
  static Result racingWriters(ObjectStore store, String key, int bytes, int writers, Duration d)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Result>> futures = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int me = w;
      futures.add(
          pool.submit(
              () -> {
                go.await();
                long[] lat = new long[1 << 18];
                int n = 0;
                long lost = 0;
                long unknown = 0;
                long start = System.nanoTime();
                long end = start + d.toNanos();
                VersionedBytes current = store.read(key).orElseThrow();
                while (System.nanoTime() < end) {
                  byte[] data = payload(bytes, "writer " + me + " commit " + n);
                  long t0 = System.nanoTime();
                  try {
                    Version v = store.replace(key, data, current.version());
                    lat[n++] = System.nanoTime() - t0;
                    current = new VersionedBytes(data, v);
                  } catch (PreconditionFailedException e) {
                    lost++;
                    current = store.read(key).orElseThrow();
                  } catch (OutcomeUnknownException e) {
                    unknown++;
                    current = store.read(key).orElseThrow();
                  }
                }
                return new Result(
                    n, lost, unknown, (System.nanoTime() - start) / 1e9, Arrays.copyOf(lat, n));
              }));
    }
    go.countDown();
    long commits = 0;
    long lost = 0;
    long unknown = 0;
    double secs = 0;
    List<long[]> all = new ArrayList<>();
    for (Future<Result> f : futures) {
      Result r = f.get(d.toSeconds() + 120, TimeUnit.SECONDS);
      commits += r.commits;
      lost += r.lost;
      unknown += r.unknown;
      secs = Math.max(secs, r.seconds);
      all.add(r.commitNanos);
    }
    pool.shutdown();
    long[] merged = all.stream().flatMapToLong(Arrays::stream).toArray();
    return new Result(commits, lost, unknown, secs, merged);
  }

  private static byte[] payload(int bytes, String tag) {
    StringBuilder sb = new StringBuilder("{\"tag\":\"").append(tag).append("\",\"pad\":\"");
    while (sb.length() < bytes - 2) {
      sb.append('x');
    }
    return sb.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static long pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
