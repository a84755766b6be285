package dev.casq.broker;

import dev.casq.api.ClaimRequest;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.EngineMetrics;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Pushes per second over HTTP on loopback: N clients, each a closed loop of {@code POST
 * /v1/queues/q/jobs} on the JDK HttpClient (async, one connection per client), against a broker in
 * the same JVM. A drainer inside the broker claims and completes jobs so that the queue object
 * stays at about {@code --pending} jobs for the whole run, as a queue in steady state does.
 *
 * <p>Options: {@code --clients 1,16,128 --runs 3 --warmup 3s --measure 5s --store
 * file|file-nosync|mem --pending 1000 --keys true --dir /tmp --http 1.1|2 --jvm-warmup 40s}. Each
 * (clients, run) uses a fresh broker and queue object. Prints one line per run and the medians.
 */
public final class PushOverHttpBenchmark {
  record Result(
      int clients,
      double pushesPerSecond,
      double p50Ms,
      double p99Ms,
      long commits,
      double batch,
      double writeMs,
      int errors,
      double cpuMicrosPerPush,
      long objectBytes) {}

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  public static void main(String[] args) throws Exception {
    // With fewer than 3 cores the common pool has parallelism 1, and CompletableFuture then runs
    // every *Async step on a new thread; the JDK HttpClient completes each sendAsync that way.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "4");
    }
    List<Integer> clients = List.of(1, 16, 128);
    int runs = 3;
    Duration warmup = Duration.ofSeconds(3);
    Duration measure = Duration.ofSeconds(5);
    String store = "file";
    int pending = 1000;
    boolean keys = true;
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    String version = "1.1";
    Duration jvmWarmup = Duration.ZERO;
    for (int i = 0; i + 1 < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--clients" -> clients = Stream.of(v.split(",")).map(Integer::parseInt).toList();
        case "--runs" -> runs = Integer.parseInt(v);
        case "--warmup" -> warmup = dev.casq.storage.StoreProperties.parseDuration("warmup", v);
        case "--measure" -> measure = dev.casq.storage.StoreProperties.parseDuration("measure", v);
        case "--store" -> store = v;
        case "--pending" -> pending = Integer.parseInt(v);
        case "--keys" -> keys = Boolean.parseBoolean(v);
        case "--dir" -> dir = Path.of(v);
        case "--http" -> version = v;
        case "--jvm-warmup" -> jvmWarmup = dev.casq.storage.StoreProperties.parseDuration("jvm", v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "store=%s pending=%d keys=%s http=%s warmup=%s measure=%s cores=%d common-pool=%d%n",
        store,
        pending,
        keys,
        version,
        warmup,
        measure,
        Runtime.getRuntime().availableProcessors(),
        java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
    HttpClient.Version httpVersion =
        version.equals("2") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1;
    if (!jvmWarmup.isZero()) {
      // let the JIT compile the whole path once, with the most clients; not reported
      Result w =
          once(
              clients.get(clients.size() - 1),
              store,
              pending,
              keys,
              dir,
              jvmWarmup,
              Duration.ofSeconds(1),
              httpVersion);
      System.out.printf(
          Locale.ROOT, "jvm warm-up done (%.0f pushes/s at the end)%n", w.pushesPerSecond);
    }
    List<Result> all = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      for (int c : clients) {
        Result r = once(c, store, pending, keys, dir, warmup, measure, httpVersion);
        all.add(r);
        System.out.printf(
            Locale.ROOT,
            "run %d clients %4d: %8.0f pushes/s  p50 %6.2f ms  p99 %6.2f ms  commits %6d"
                + "  batch %7.1f  write %5.2f ms  cpu %5.0f us/push  object %5d KiB  errors %d%n",
            run,
            c,
            r.pushesPerSecond,
            r.p50Ms,
            r.p99Ms,
            r.commits,
            r.batch,
            r.writeMs,
            r.cpuMicrosPerPush,
            r.objectBytes / 1024,
            r.errors);
      }
    }
    System.out.println("medians:");
    for (int c : clients) {
      List<Result> rs = all.stream().filter(r -> r.clients == c).toList();
      System.out.printf(
          Locale.ROOT,
          "clients %4d: %8.0f pushes/s  p50 %6.2f ms  p99 %6.2f ms%n",
          c,
          median(rs, Result::pushesPerSecond),
          median(rs, Result::p50Ms),
          median(rs, Result::p99Ms));
    }
    System.exit(0);
  }

  private static double median(List<Result> rs, java.util.function.ToDoubleFunction<Result> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static Result once(
      int clients,
      String store,
      int pending,
      boolean keys,
      Path parent,
      Duration warmup,
      Duration measure,
      HttpClient.Version version)
      throws Exception {
    Path dir = Files.createTempDirectory(parent, "casq-http-bench");
    QueueOptions.Builder options = QueueOptions.builder();
    String uri =
        switch (store) {
          case "mem" -> "mem://bench-" + UUID.randomUUID() + "/q.json";
          case "file-nosync" -> {
            options.storeProperty("file.fsync", "false");
            yield dir.toUri() + "q.json";
          }
          case "file" -> dir.toUri() + "q.json";
          default -> throw new IllegalArgumentException("store must be file, file-nosync or mem");
        };
    CasqBroker broker =
        CasqBroker.builder()
            .queue("q", uri)
            .listen("127.0.0.1", 0)
            .queueOptions(options.build())
            .build()
            .start();
    HttpClient http = HttpClient.newBuilder().version(version).build();
    AtomicBoolean stop = new AtomicBoolean();
    try {
      JobQueue queue = broker.jobQueue("q");
      List<CompletableFuture<?>> fill = new ArrayList<>();
      for (int i = 0; i < pending; i++) {
        fill.add(queue.push(PushRequest.of("{\"fill\":" + i + "}")));
      }
      CompletableFuture.allOf(fill.toArray(new CompletableFuture<?>[0])).join();
      AtomicLong accepted = new AtomicLong();
      Thread drainer = new Thread(() -> drain(queue, pending, accepted, stop), "bench-drainer");
      drainer.setDaemon(true);
      drainer.start();

      URI target = URI.create(broker.address() + "/v1/queues/q/jobs");
      if (version == HttpClient.Version.HTTP_2) {
        // the JDK client upgrades to h2c only on a request without a body; then all share it
        HttpResponse<Void> up =
            http.send(
                HttpRequest.newBuilder(URI.create(broker.address() + "/health")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (up.version() != HttpClient.Version.HTTP_2) {
          throw new IllegalStateException("no h2c upgrade: " + up.version());
        }
      }
      AtomicBoolean measuring = new AtomicBoolean();
      AtomicLong errors = new AtomicLong();
      long[][] latencies = new long[clients][];
      int[] counts = new int[clients];
      CountDownLatch stopped = new CountDownLatch(clients);
      for (int c = 0; c < clients; c++) {
        latencies[c] = new long[4096];
        int me = c;
        new Runnable() {
          long n;
          long started;

          @Override
          public void run() {
            if (stop.get()) {
              stopped.countDown();
              return;
            }
            String body =
                "{\"payload\":{\"to\":\"user"
                    + me
                    + "@example.com\",\"n\":"
                    + (n++)
                    + "}"
                    + (keys ? ",\"key\":\"" + UUID.randomUUID() + "\"" : "")
                    + "}";
            started = System.nanoTime();
            http.sendAsync(
                    HttpRequest.newBuilder(target)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .whenComplete(
                    (r, e) -> {
                      long took = System.nanoTime() - started;
                      if (e != null || r.statusCode() != 201) {
                        errors.incrementAndGet();
                      } else {
                        accepted.incrementAndGet();
                        if (measuring.get()) {
                          synchronized (latencies) {
                            if (counts[me] == latencies[me].length) {
                              latencies[me] = Arrays.copyOf(latencies[me], counts[me] * 2);
                            }
                            latencies[me][counts[me]++] = took;
                          }
                        }
                      }
                      run();
                    });
          }
        }.run();
      }
      Thread.sleep(warmup.toMillis()); // the warm-up period of a benchmark, not synchronisation
      EngineMetrics m = queue.engine().metrics();
      long commits0 = m.commits();
      long commands0 = m.commands();
      long writeNanos0 = m.writeNanos();
      errors.set(0);
      measuring.set(true);
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      Thread.sleep(measure.toMillis()); // the measured period
      measuring.set(false);
      long elapsed = System.nanoTime() - t0;
      long cpu = processCpuNanos() - cpu0;
      long commits = m.commits() - commits0;
      long commands = m.commands() - commands0;
      long writeNanos = m.writeNanos() - writeNanos0;
      stop.set(true);
      stopped.await(60, TimeUnit.SECONDS);
      long[] lat;
      synchronized (latencies) {
        int total = 0;
        for (int c = 0; c < clients; c++) {
          total += counts[c];
        }
        lat = new long[total];
        int at = 0;
        for (int c = 0; c < clients; c++) {
          System.arraycopy(latencies[c], 0, lat, at, counts[c]);
          at += counts[c];
        }
      }
      Arrays.sort(lat);
      return new Result(
          clients,
          lat.length * 1e9 / elapsed,
          pct(lat, 0.50),
          pct(lat, 0.99),
          commits,
          commits == 0 ? 0 : (double) commands / commits,
          commits == 0 ? 0 : writeNanos / 1e6 / commits,
          (int) errors.get(),
          lat.length == 0 ? Double.NaN : cpu / 1e3 / lat.length,
          m.lastObjectBytes());
    } finally {
      stop.set(true);
      broker.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
  }

  /** Claims and completes jobs whenever more than {@code pending} wait. */
  private static void drain(JobQueue queue, int pending, AtomicLong accepted, AtomicBoolean stop) {
    long drained = 0;
    while (!stop.get()) {
      long excess = accepted.get() - drained;
      if (excess <= 0) {
        LockSupport.parkNanos(1_000_000);
        continue;
      }
      try {
        List<Job> jobs =
            queue
                .claim(
                    new ClaimRequest(
                        "drainer", Duration.ofMinutes(5), (int) Math.min(1000, excess), Set.of()))
                .get(30, TimeUnit.SECONDS);
        List<CompletableFuture<?>> done = new ArrayList<>(jobs.size());
        for (Job j : jobs) {
          done.add(queue.complete(j.id(), j.lease().token(), null));
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0]))
            .get(30, TimeUnit.SECONDS);
        drained += jobs.size();
      } catch (Exception e) {
        if (!stop.get()) {
          System.err.println("drainer: " + e);
        }
        return;
      }
    }
  }
}
