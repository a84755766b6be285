package dev.casq.cli;

import dev.casq.api.PushOptions;
import dev.casq.api.QueueStats;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.RetryPolicy;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import dev.casq.storage.VersionedBytes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code casq bench --scenario backlog}: how a queue with no consumer takes pushes as its backlog
 * grows, measured as a user meets it. For each variant, a fresh broker process ({@code casq
 * broker}, with the given JVM options) serves a new queue; N connections push, each push with its
 * own idempotency key, for the whole run; the broker's {@code pushed} counter is read at the end of
 * every window. At the end: the pending count, the queue object's size and its segments.
 */
final class BacklogScenario {
  /** One variant: the broker JVM's options. */
  record Variant(String label, List<String> jvmOptions) {}

  /** What one variant measured. */
  record Outcome(
      Variant variant,
      List<Double> pushesPerSecond,
      long pending,
      long objectBytes,
      int segments,
      long errors) {
    double lastOverBest() {
      double best = pushesPerSecond.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      return best == 0 ? 0 : pushesPerSecond.get(pushesPerSecond.size() - 1) / best;
    }
  }

  private final int connections;
  private final Duration duration;
  private final Duration window;
  private final String payload;
  private final boolean wrk;
  private final Map<String, String> storeProperties;
  private final PrintWriter out;

  BacklogScenario(
      int connections,
      Duration duration,
      Duration window,
      String payload,
      boolean wrk,
      Map<String, String> storeProperties,
      PrintWriter out) {
    this.connections = connections;
    this.duration = duration;
    this.window = window;
    this.payload = payload;
    this.wrk = wrk;
    this.storeProperties = storeProperties;
    this.out = out;
  }

  /** Runs every variant on a fresh queue object in {@code dir}; prints them side by side. */
  List<Outcome> run(List<Variant> variants, Path dir) throws Exception {
    out.printf(
        "backlog growth: %d connections (%s), each push with its own idempotency key, no"
            + " consumer, %s from an empty queue, pushes/s per %s window%n",
        connections, wrk ? "wrk" : "Java client", text(duration), text(window));
    out.flush();
    List<Outcome> outcomes = new ArrayList<>();
    int n = 0;
    for (Variant v : variants) {
      Path vdir = dir.resolve("run-" + (++n));
      Files.createDirectories(vdir);
      String uri = vdir.toUri() + "backlog.json";
      outcomes.add(runOne(v, uri, vdir));
    }
    table(outcomes);
    return outcomes;
  }

  private Outcome runOne(Variant v, String uri, Path vdir) throws Exception {
    out.printf(
        "%n%s: broker JVM options: %s%n",
        v.label(), v.jvmOptions().isEmpty() ? "(none)" : String.join(" ", v.jvmOptions()));
    out.flush();
    ScenarioBroker broker =
        ScenarioBroker.start(
            DedupeScenario.thisJava(),
            v.jvmOptions(),
            "backlog",
            uri,
            storeProperties,
            List.of(),
            vdir.resolve("broker.log"));
    String url;
    try {
      url = broker.awaitServing(Duration.ofSeconds(60));
    } catch (Exception e) {
      broker.stop();
      throw e;
    }
    try (CasqClient c =
        CasqClient.builder()
            .brokerUrl(url)
            .queueName("backlog")
            .takeover(TakeoverPolicy.NONE)
            .requestTimeout(Duration.ofSeconds(30))
            .retry(RetryPolicy.defaults().withDeadline(Duration.ofSeconds(60)))
            .build()) {
      ClientQueue<String> q = c.queue(String.class);
      Load load = wrk ? new WrkRun(url, q.path() + "/jobs") : new ClientRun(q);
      long windows = Math.max(1, duration.toMillis() / window.toMillis());
      List<Double> rates = new ArrayList<>();
      long before = q.stats().counters().pushed();
      long t0 = System.nanoTime();
      load.start();
      CountDownLatch never = new CountDownLatch(1);
      for (int w = 1; w <= windows; w++) {
        long due = t0 + w * window.toNanos();
        never.await(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS); // the window
        long now = System.nanoTime();
        long pushed = q.stats().counters().pushed();
        double rate = (pushed - before) / ((now - t0 - (w - 1) * window.toNanos()) / 1e9);
        rates.add(rate);
        before = pushed;
        out.printf(
            "  %6s %,12.0f pushes/s   %,12d pushed%n", text(window.multipliedBy(w)), rate, pushed);
        out.flush();
      }
      long errors = load.stop();
      QueueStats end = q.stats();
      Head head = head(uri);
      Outcome o = new Outcome(v, rates, end.pending(), head.bytes(), head.segments(), errors);
      out.printf(
          "  end: %,d pending, queue object %s, %,d segments, %d errors; last %s = %.0f%%"
              + " of the best %s%n",
          o.pending(),
          SegmentSummary.size(o.objectBytes()),
          o.segments(),
          errors,
          text(window),
          100 * o.lastOverBest(),
          text(window));
      out.flush();
      return o;
    } finally {
      broker.stop();
    }
  }

  private static String text(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private void table(List<Outcome> outcomes) {
    out.printf("%n%-36s", "variant");
    int windows = outcomes.get(0).pushesPerSecond().size();
    for (int w = 1; w <= windows; w++) {
      out.printf(" %8s", text(window.multipliedBy(w)));
    }
    out.printf(" %10s %10s %9s %10s%n", "pending", "object", "segments", "last/best");
    for (Outcome o : outcomes) {
      out.printf("%-36s", o.variant().label());
      for (double r : o.pushesPerSecond()) {
        out.printf(" %,8.0f", r);
      }
      out.printf(
          " %,10d %10s %,9d %9.0f%%%n",
          o.pending(), SegmentSummary.size(o.objectBytes()), o.segments(), 100 * o.lastOverBest());
    }
    out.flush();
  }

  private record Head(long bytes, int segments) {}

  private Head head(String uri) {
    try (StoreLocation loc = Stores.open(uri, storeProperties)) {
      Optional<VersionedBytes> v = loc.store().read(loc.key());
      if (v.isEmpty()) {
        return new Head(0, 0);
      }
      QueueState s = StateCodec.decode(v.get().data());
      return new Head(v.get().data().length, s.segments().size());
    }
  }

  /** The load of one run. */
  private interface Load {
    void start() throws IOException;

    /** Stops the load; returns how many pushes failed. */
    long stop() throws Exception;
  }

  /** wrk as a separate process for the whole run. */
  private final class WrkRun implements Load {
    private final String url;
    private final String path;
    private CompletableFuture<WrkLoad.Result> result;

    WrkRun(String url, String path) {
      this.url = url;
      this.path = path;
    }

    @Override
    public void start() throws IOException {
      WrkLoad w = WrkLoad.prepare();
      result =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return w.run(url, path, payload, connections, duration.plusSeconds(1));
                } catch (IOException e) {
                  throw new CliException("wrk failed: " + e.getMessage(), e);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new CliException("interrupted");
                }
              });
    }

    @Override
    public long stop() throws Exception {
      try {
        return result.get(120, TimeUnit.SECONDS).errors();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception x ? x : e;
      }
    }
  }

  /** The casq Java client in this process: N chains of pushes, each with its own key. */
  private final class ClientRun implements Load {
    private final ClientQueue<String> q;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong errors = new AtomicLong();
    private final CountDownLatch finished = new CountDownLatch(connections);

    ClientRun(ClientQueue<String> q) {
      this.q = q;
    }

    @Override
    public void start() {
      for (int i = 0; i < connections; i++) {
        next();
      }
    }

    private void next() {
      if (stop.get()) {
        finished.countDown();
        return;
      }
      q.pushJsonAsync(payload, PushOptions.none())
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  errors.incrementAndGet();
                }
                next();
              });
    }

    @Override
    public long stop() throws InterruptedException {
      stop.set(true);
      finished.await(120, TimeUnit.SECONDS);
      return errors.get();
    }
  }
}
