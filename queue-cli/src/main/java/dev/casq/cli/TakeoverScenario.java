package dev.casq.cli;

import dev.casq.api.PushOptions;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.RetryPolicy;
import dev.casq.client.TakeoverPolicy;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code casq bench --scenario takeover}: how fast a broker that takes a queue over serves, against
 * how fast the same process serves once warm. Per variant and run, an active {@code casq broker}
 * process and a standby ({@code --standby} and the variant's options) serve a fresh {@code file://}
 * queue; N connections of the Java client push, each push with its own idempotency key and one in
 * flight per connection, for the whole run (no consumer). At {@code killAt} the active broker gets
 * SIGKILL; the clients find the standby once it serves. Reported: pushes/s per window from the
 * first push the standby acknowledged, the rate over its first 3 s, and its warm rate (over the
 * last {@code warmOver} of the run, the same process).
 */
final class TakeoverScenario {
  private static final String QUEUE = "takeover";
  private static final long SLOT_NANOS = 10_000_000L; // acknowledgements counted per 10 ms
  private static final Duration FIRST = Duration.ofSeconds(3);

  /** One variant: the standby's extra {@code casq broker} options. */
  record Variant(String label, List<String> standbyArgs) {
    Variant {
      standbyArgs = List.copyOf(standbyArgs);
    }
  }

  /**
   * What to run.
   *
   * @param connections pushes in flight (one per connection)
   * @param standbyLead from the standby's start to the start of the load: the time it has to
   *     itself, as on a machine of its own (the load would otherwise starve its warm-up of CPU)
   * @param killAt when the active broker gets SIGKILL, from the start of the load
   * @param after how long the load goes on after the standby's first acknowledged push
   * @param window the reporting window after the takeover
   * @param staleAfter the brokers' (and clients') staleness; heartbeat every sixth of it
   * @param payloadBytes approximate size of each payload
   * @param brokerJvmOptions JVM options of both broker processes
   * @param storeProperties store properties of the brokers and the clients
   * @param runs runs of every variant (alternating)
   */
  record Settings(
      int connections,
      Duration standbyLead,
      Duration killAt,
      Duration after,
      Duration window,
      Duration staleAfter,
      int payloadBytes,
      List<String> brokerJvmOptions,
      Map<String, String> storeProperties,
      int runs) {
    Settings {
      Objects.requireNonNull(killAt, "killAt");
      Objects.requireNonNull(standbyLead, "standbyLead");
      Objects.requireNonNull(after, "after");
      brokerJvmOptions = List.copyOf(brokerJvmOptions);
      storeProperties = Map.copyOf(storeProperties);
      if (connections < 1 || runs < 1 || window.toMillis() < 100 || after.compareTo(window) < 0) {
        throw new IllegalArgumentException(
            "connections and runs must be positive, the window at least 100ms and no longer"
                + " than the time after the takeover");
      }
    }

    /** The warm rate is measured over the last this of the run: 10 s, or half of {@code after}. */
    Duration warmOver() {
      Duration half = after.dividedBy(2);
      return half.compareTo(Duration.ofSeconds(10)) < 0 ? half : Duration.ofSeconds(10);
    }
  }

  /**
   * What one run of one variant measured.
   *
   * @param windows pushes/s per window from the standby's first acknowledged push
   * @param firstSeconds pushes/s over the standby's first 3 s (from its first acknowledged push)
   * @param warm pushes/s of the same standby over the last {@code warmOver} of the run
   * @param activeWarm pushes/s of the active broker over the {@code warmOver} before the kill
   * @param serving from the SIGKILL to the standby saying it serves
   * @param firstAck from the SIGKILL to the standby's first acknowledged push
   * @param errors pushes that failed for the caller
   */
  record Outcome(
      Variant variant,
      int run,
      List<Double> windows,
      double firstSeconds,
      double warm,
      double activeWarm,
      Duration serving,
      Duration firstAck,
      long errors) {
    double ratio() {
      return warm == 0 ? 0 : firstSeconds / warm;
    }
  }

  private final Settings s;
  private final List<String> launcher;
  private final PrintWriter out;
  private final String payload;

  TakeoverScenario(Settings settings, List<String> java, PrintWriter out) {
    this.s = settings;
    this.launcher = List.copyOf(java);
    this.out = out;
    this.payload = payload(settings.payloadBytes());
  }

  /** Runs every variant {@code runs} times, alternating; prints each run and the medians. */
  List<Outcome> run(List<Variant> variants, Path dir) throws Exception {
    out.printf(
        "takeover warm-up: %d connections (Java client, one keyed push in flight each, no"
            + " consumer) from %s after the standby's start, SIGKILL of the active broker %s"
            + " into the load, %s more after the standby's first"
            + " acknowledged push; pushes/s per %s window from it; warm rate over the last %s;"
            + " stale after %s; broker JVM options: %s%n",
        s.connections(),
        DedupeScenario.text(s.standbyLead()),
        DedupeScenario.text(s.killAt()),
        DedupeScenario.text(s.after()),
        DedupeScenario.text(s.window()),
        DedupeScenario.text(s.warmOver()),
        DedupeScenario.text(s.staleAfter()),
        s.brokerJvmOptions().isEmpty() ? "(none)" : String.join(" ", s.brokerJvmOptions()));
    out.flush();
    List<Outcome> outcomes = new ArrayList<>();
    int n = 0;
    for (int run = 1; run <= s.runs(); run++) {
      for (Variant v : variants) {
        Path rdir = dir.resolve("run-" + (++n));
        Files.createDirectories(rdir);
        outcomes.add(runOne(v, run, rdir));
      }
    }
    table(variants, outcomes);
    return outcomes;
  }

  private Outcome runOne(Variant v, int run, Path rdir) throws Exception {
    out.printf(
        "%nrun %d, %s: standby options: %s%n",
        run, v.label(), v.standbyArgs().isEmpty() ? "(none)" : String.join(" ", v.standbyArgs()));
    out.flush();
    String uri = rdir.toUri() + QUEUE + ".json";
    List<String> args =
        List.of(
            "--heartbeat",
            DedupeScenario.text(s.staleAfter().dividedBy(6)),
            "--stale-after",
            DedupeScenario.text(s.staleAfter()));
    List<String> activeArgs = new ArrayList<>(args);
    activeArgs.addAll(List.of("--broker-id", "takeover-active"));
    ScenarioBroker active =
        ScenarioBroker.start(
            launcher,
            s.brokerJvmOptions(),
            QUEUE,
            uri,
            s.storeProperties(),
            activeArgs,
            rdir.resolve("active-broker.log"));
    ScenarioBroker standby = null;
    try {
      active.awaitServing(Duration.ofSeconds(60));
      List<String> standbyArgs = new ArrayList<>(args);
      standbyArgs.addAll(List.of("--standby", "--broker-id", "takeover-standby"));
      standbyArgs.addAll(v.standbyArgs());
      standby =
          ScenarioBroker.start(
              launcher,
              s.brokerJvmOptions(),
              QUEUE,
              uri,
              s.storeProperties(),
              standbyArgs,
              rdir.resolve("standby-broker.log"));
      new CountDownLatch(1).await(s.standbyLead().toMillis(), TimeUnit.MILLISECONDS);
      try (CasqClient c =
          CasqClient.builder()
              .storeUri(uri)
              .storeProperties(s.storeProperties())
              .staleAfter(s.staleAfter())
              .takeover(TakeoverPolicy.WAIT)
              .requestTimeout(Duration.ofSeconds(30))
              .retry(RetryPolicy.defaults().withDeadline(Duration.ofMinutes(2)))
              .build()) {
        return drive(v, run, active, standby, c.queue(String.class));
      }
    } finally {
      active.stop();
      if (standby != null) {
        standby.stop();
      }
    }
  }

  private Outcome drive(
      Variant v, int run, ScenarioBroker active, ScenarioBroker standby, ClientQueue<String> q)
      throws Exception {
    long budget = s.killAt().plus(s.after()).plusSeconds(120).toNanos();
    AtomicLongArray acks = new AtomicLongArray((int) (budget / SLOT_NANOS) + 1);
    Load load = new Load(q, acks);
    CountDownLatch never = new CountDownLatch(1);
    load.start();
    never.await(s.killAt().toNanos(), TimeUnit.NANOSECONDS);
    long killAt = System.nanoTime();
    active.kill();
    load.killedAt.set(System.nanoTime());
    out.printf(
        "  %s SIGKILL of the active broker (pid %d)%n",
        DedupeScenario.text(s.killAt()), active.pid());
    out.flush();
    long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (load.firstAckAfterKill.get() == 0 && System.nanoTime() < waitUntil) {
      never.await(10, TimeUnit.MILLISECONDS);
    }
    long firstAck = load.firstAckAfterKill.get();
    if (firstAck == 0) {
      load.stop();
      throw new CliException(
          "the standby acknowledged no push within 90 s of the SIGKILL"
              + (load.firstError == null ? "" : "; first error: " + load.firstError));
    }
    never.await(firstAck + s.after().toNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
    long errors = load.stop();
    long t0 = load.t0;
    List<Double> windows = new ArrayList<>();
    for (long at = firstAck;
        at + s.window().toNanos() <= firstAck + s.after().toNanos();
        at += s.window().toNanos()) {
      windows.add(rate(acks, t0, at, at + s.window().toNanos()));
    }
    double first = rate(acks, t0, firstAck, firstAck + FIRST.toNanos());
    long end = firstAck + s.after().toNanos();
    double warm = rate(acks, t0, end - s.warmOver().toNanos(), end);
    double activeWarm = rate(acks, t0, killAt - s.warmOver().toNanos(), killAt);
    Outcome o =
        new Outcome(
            v,
            run,
            windows,
            first,
            warm,
            activeWarm,
            standby.servingAtNanos() == 0
                ? null
                : Duration.ofNanos(standby.servingAtNanos() - killAt),
            Duration.ofNanos(firstAck - killAt),
            errors);
    StringBuilder line = new StringBuilder("  pushes/s per " + DedupeScenario.text(s.window()));
    line.append(" from the standby's first push:");
    for (int i = 0; i < windows.size() && i * s.window().toMillis() < 6000; i++) {
      line.append(String.format(" %,.0f", windows.get(i)));
    }
    out.println(line);
    out.printf(
        "  standby serving %s ms, first acknowledged push %s ms after the SIGKILL; first 3 s %,.0f"
            + " pushes/s, warm %,.0f pushes/s (the active broker before the kill: %,.0f): first"
            + " 3 s = %.0f%% of warm; %d errors%n",
        o.serving() == null ? "-" : Long.toString(o.serving().toMillis()),
        o.firstAck().toMillis(),
        o.firstSeconds(),
        o.warm(),
        o.activeWarm(),
        100 * o.ratio(),
        o.errors());
    out.flush();
    return o;
  }

  /** Acknowledged pushes per second between two {@link System#nanoTime} instants. */
  private static double rate(AtomicLongArray acks, long t0, long from, long to) {
    int a = (int) Math.max(0, (from - t0) / SLOT_NANOS);
    int b = (int) Math.min(acks.length(), (to - t0) / SLOT_NANOS);
    long n = 0;
    for (int i = a; i < b; i++) {
      n += acks.get(i);
    }
    return b <= a ? 0 : n / ((b - a) * SLOT_NANOS / 1e9);
  }

  private void table(List<Variant> variants, List<Outcome> outcomes) {
    out.printf(
        "%n%-24s %4s %12s %12s %10s %14s %12s%n",
        "variant", "run", "first 3 s", "warm", "3 s/warm", "first push ms", "active warm");
    for (Outcome o : outcomes) {
      out.printf(
          "%-24s %4d %,12.0f %,12.0f %9.0f%% %14d %,12.0f%n",
          o.variant().label(),
          o.run(),
          o.firstSeconds(),
          o.warm(),
          100 * o.ratio(),
          o.firstAck().toMillis(),
          o.activeWarm());
    }
    if (s.runs() > 1) {
      for (Variant v : variants) {
        List<Outcome> of = outcomes.stream().filter(o -> o.variant() == v).toList();
        out.printf(
            "%-24s %4s %,12.0f %,12.0f %9.0f%% %14.0f %,12.0f%n",
            v.label(),
            "med",
            median(of.stream().mapToDouble(Outcome::firstSeconds).toArray()),
            median(of.stream().mapToDouble(Outcome::warm).toArray()),
            100 * median(of.stream().mapToDouble(Outcome::ratio).toArray()),
            median(of.stream().mapToDouble(o -> o.firstAck().toMillis()).toArray()),
            median(of.stream().mapToDouble(Outcome::activeWarm).toArray()));
      }
    }
    out.flush();
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n == 0 ? 0 : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static String payload(int bytes) {
    StringBuilder p = new StringBuilder("{\"p\":\"");
    while (p.length() < bytes - 2) {
      p.append('x');
    }
    return p.append("\"}").toString();
  }

  /** N chains of keyed pushes through the Java client, each acknowledgement counted by time. */
  private final class Load {
    private final ClientQueue<String> q;
    private final AtomicLongArray acks;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong keys = new AtomicLong();
    private final AtomicLong killedAt = new AtomicLong();
    private final AtomicLong firstAckAfterKill = new AtomicLong();
    private final CountDownLatch finished;
    private volatile String firstError;
    private long t0;

    Load(ClientQueue<String> q, AtomicLongArray acks) {
      this.q = q;
      this.acks = acks;
      this.finished = new CountDownLatch(s.connections());
    }

    void start() {
      t0 = System.nanoTime();
      for (int i = 0; i < s.connections(); i++) {
        next();
      }
    }

    private void next() {
      if (stop.get()) {
        finished.countDown();
        return;
      }
      q.pushJsonAsync(payload, PushOptions.none().key("t-" + keys.incrementAndGet()))
          .whenComplete(
              (r, e) -> {
                long now = System.nanoTime();
                if (e != null) {
                  errors.incrementAndGet();
                  if (firstError == null) {
                    firstError = CasqCommand.oneLine(e);
                  }
                } else {
                  int slot = (int) ((now - t0) / SLOT_NANOS);
                  if (slot < acks.length()) {
                    acks.incrementAndGet(slot);
                  }
                  long k = killedAt.get();
                  if (k != 0 && now > k) {
                    firstAckAfterKill.compareAndSet(0, now);
                  }
                }
                next();
              });
    }

    /** Stops the load; how many pushes failed. */
    long stop() throws InterruptedException {
      stop.set(true);
      finished.await(120, TimeUnit.SECONDS);
      return errors.get();
    }
  }
}
