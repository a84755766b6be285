package dev.casq.cli;

import dev.casq.api.ClaimRequest;
import dev.casq.api.PushOptions;
import dev.casq.api.QueueStats;
import dev.casq.broker.CasqBroker;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.RetryPolicy;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.EngineMetrics;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import dev.casq.election.BrokerTenure;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code casq bench}: push throughput and latency of a broker over HTTP, or of the embedded queue.
 */
@Command(
    name = "bench",
    header = "Measure pushes per second (HTTP or embedded).",
    description =
        "Measures pushes per second. Over HTTP (default): a broker in this process (or"
            + " --broker URL) and N concurrent clients, each pushing one job at a time through the"
            + " Java client; one row per client count with pushes/s, latency percentiles and"
            + " commits/s. With --embedded: the embedded queue with N producer threads (each"
            + " keeping --pipeline pushes in flight). Without --store a fresh file:// object in a"
            + " temporary directory is used and deleted afterwards. A drainer claims and completes"
            + " jobs in batches so the pending count stays near --pending (not with --broker).")
final class BenchCommand implements Callable<Integer> {
  @ParentCommand CasqCommand parent;
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();

  @Option(
      names = "--store",
      paramLabel = "URI",
      description =
          "The queue object to bench on (its jobs are drained down to --pending)."
              + " Default: a temporary file:// object.")
  String store;

  @Option(
      names = "--store-property",
      paramLabel = "KEY=VALUE",
      description = "A store property (repeatable), e.g. file.fsync=false.")
  Map<String, String> storeProperties = new LinkedHashMap<>();

  @Option(
      names = "--broker",
      paramLabel = "URL",
      description = "Bench this running broker instead of one in this process (needs --queue).")
  String broker;

  @Option(names = "--queue", paramLabel = "NAME", description = "Queue name with --broker.")
  String queue;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "Bearer token with --broker." + " Default: $CASQ_TOKEN.")
  String token;

  @Option(
      names = "--clients",
      paramLabel = "N",
      split = ",",
      splitSynopsisLabel = ",",
      defaultValue = "1,16,128",
      description = "Concurrent clients, one run per value. Default: ${DEFAULT-VALUE}.")
  List<Integer> clients;

  @Option(
      names = "--http2",
      description =
          "Clients speak HTTP/2 (cleartext, one multiplexed connection per client"
              + " object) instead of HTTP/1.1.")
  boolean http2;

  /** Who sends the HTTP pushes. */
  enum Load {
    client,
    wrk
  }

  @Option(
      names = "--load",
      paramLabel = "client|wrk",
      defaultValue = "client",
      description =
          "Over HTTP, who pushes: 'client' (the casq Java client in this process, N"
              + " concurrent pushes) or 'wrk' (the wrk load generator as a separate process, N"
              + " connections with one push each in flight; needs wrk installed)."
              + " Default: ${DEFAULT-VALUE}.")
  Load load;

  @Option(names = "--embedded", description = "Bench the embedded queue instead of HTTP.")
  boolean embedded;

  @Option(
      names = "--producers",
      paramLabel = "N",
      split = ",",
      splitSynopsisLabel = ",",
      defaultValue = "64",
      description =
          "With --embedded: producer threads, one run per value." + " Default: ${DEFAULT-VALUE}.")
  List<Integer> producers;

  @Option(
      names = "--pipeline",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "With --embedded: pushes each producer keeps in flight." + " Default: ${DEFAULT-VALUE}.")
  int pipeline;

  @Option(
      names = "--pending",
      paramLabel = "N",
      split = ",",
      splitSynopsisLabel = ",",
      description =
          "Pending jobs kept in the queue during the run, one run per value."
              + " Default: 1000 (HTTP), 1000,10000,100000 (--embedded).")
  List<Integer> pending;

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description = "Measured time per run. Default: ${DEFAULT-VALUE}.")
  Duration duration;

  @Option(
      names = "--warmup",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "3s",
      description = "Unmeasured time before each run. Default: ${DEFAULT-VALUE}.")
  Duration warmup;

  /** What the bench measures. */
  enum Scenario {
    steady,
    backlog,
    dedupe,
    takeover
  }

  @Option(
      names = "--scenario",
      paramLabel = "steady|backlog|dedupe|takeover",
      defaultValue = "steady",
      description =
          "steady (the default): pushes/s at a steady pending count. backlog: a fresh"
              + " broker process per variant, --clients connections (default 128) pushing with no"
              + " consumer from an empty queue for --duration (default 60s); pushes/s per --window,"
              + " then the pending count and the queue object's size. dedupe: an active and a"
              + " standby broker process on a fresh file:// queue; keyed batch pushes at --rate for"
              + " --duration (default 5m) from --clients connections (default 16), consumers"
              + " completing them, SIGKILL of the active broker at --kill-at, --retries earlier keys"
              + " pushed again throughout and right after the kill, each checked to return its"
              + " original job id; exits 1 on any duplicate or lost push. takeover: per run, an"
              + " active and a standby broker process on a fresh file:// queue, --clients"
              + " connections (default 128) pushing keyed jobs with no consumer, SIGKILL of the"
              + " active broker --kill-at (default 30s) into the load, which starts --standby-lead"
              + " after the standby; then --duration more (default 30s);"
              + " pushes/s per --window (default 500ms) from the standby's first acknowledged push,"
              + " its first 3 s against its own warm rate; two variants, the standby's warm-up off"
              + " and on (--standby-warmup), --runs times.")
  Scenario scenario;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "20000",
      description =
          "With --scenario dedupe: keyed pushes per second to aim at."
              + " Default: ${DEFAULT-VALUE}.")
  int rate;

  @Option(
      names = "--kill-at",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "With --scenario dedupe: when the active broker gets SIGKILL, from the start."
              + " Default: half the --duration.")
  Duration killAt;

  @Option(
      names = "--runs",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "With --scenario takeover: runs of each variant (alternating); medians when more"
              + " than one. Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(
      names = "--standby-warmup",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "With --scenario takeover: the standby's --standby-warmup in the 'warm-up on'"
              + " variant. Default: the broker's default (20s).")
  Duration standbyWarmup;

  @Option(
      names = "--standby-lead",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "With --scenario takeover: from the standby's start to the start of the load (the"
              + " time its warm-up has the machine to itself, as on a machine of its own)."
              + " Default: the warm-up's budget plus 5s.")
  Duration standbyLead;

  @Option(
      names = "--no-kill",
      description = "With --scenario dedupe: no failover (one broker process).")
  boolean noKill;

  @Option(
      names = "--retries",
      paramLabel = "N",
      defaultValue = "10000",
      description =
          "With --scenario dedupe: earlier keys pushed again and checked (half"
              + " throughout, half right after the kill). Default: ${DEFAULT-VALUE}.")
  int retries;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "200",
      description =
          "With --scenario dedupe: pushes per batch request (1..1000)."
              + " Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--consumers",
      paramLabel = "N",
      defaultValue = "4",
      description =
          "With --scenario dedupe: consumers, each claiming up to 1000 jobs at a time"
              + " and completing each claim's jobs with one batch completion (up to 4 in"
              + " flight). Default: ${DEFAULT-VALUE}.")
  int consumers;

  @Option(
      names = "--drain",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "3m",
      description =
          "With --scenario dedupe: after the pushes, how long the consumers may take to"
              + " empty the queue before the end checks. Default: ${DEFAULT-VALUE}.")
  Duration drain;

  @Option(
      names = "--stale-after",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "3s",
      description =
          "With --scenario dedupe: the brokers' staleness (the standby takes over a"
              + " heartbeat this old; heartbeat every sixth of it). Default: ${DEFAULT-VALUE}.")
  Duration staleAfter;

  @Option(
      names = "--window",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description = "With --scenario backlog: the reporting window. Default: ${DEFAULT-VALUE}.")
  Duration window;

  @Option(
      names = "--broker-jvm-options",
      paramLabel = "OPTIONS",
      description =
          "With --scenario backlog: JVM options of the broker process, split at spaces,"
              + " e.g. '-Xmx1g -XX:+UseParallelGC'. Default: none (what `java -jar casq.jar broker`"
              + " gets).")
  String brokerJvmOptions;

  @Option(
      names = "--head-max-ready-jobs",
      paramLabel = "N",
      split = ",",
      splitSynopsisLabel = ",",
      description =
          "With --scenario backlog: one variant per value, each broker started with"
              + " -Dcasq.headMaxReadyJobs=N (0: every job in the queue object, no segments)."
              + " Default: one variant with the broker's own default.")
  List<Integer> headMaxReadyJobs;

  @Option(
      names = "--payload-bytes",
      paramLabel = "N",
      defaultValue = "100",
      description = "Size of each job's payload. Default: ${DEFAULT-VALUE}.")
  int payloadBytes;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    validate(cmd);
    List<Integer> pend =
        pending != null ? pending : embedded ? List.of(1_000, 10_000, 100_000) : List.of(1_000);
    String payload = payload(payloadBytes);
    PrintWriter out = cmd.getOut();
    Path temp = null;
    try {
      if (scenario == Scenario.backlog) {
        return backlog(cmd, payload, out);
      }
      if (scenario == Scenario.dedupe) {
        return dedupe(cmd, out);
      }
      if (scenario == Scenario.takeover) {
        return takeover(cmd, out);
      }
      if (embedded) {
        out.printf(
            "embedded pushes, %d-byte payloads, %s per run after %s warmup%n",
            payloadBytes, duration, warmup);
        out.printf(
            "%-9s %-10s %-9s %12s %11s %11s %12s%n",
            "pending", "producers", "pipeline", "pushes/s", "commits/s", "ops/commit", "object");
        for (int p : pend) {
          for (int producerCount : producers) {
            String uri = store;
            if (uri == null) {
              temp = Files.createTempDirectory("casq-bench");
              uri = temp.toUri() + "bench.json";
            }
            embeddedRun(uri, p, producerCount, payload, out);
            if (temp != null) {
              delete(temp);
              temp = null;
            }
          }
        }
        return 0;
      }
      if (broker != null) {
        return httpAgainst(broker, payload, out);
      }
      String uri = store;
      if (uri == null) {
        temp = Files.createTempDirectory("casq-bench");
        uri = temp.toUri() + "bench.json";
      }
      out.printf(
          "broker over HTTP on loopback, store %s, %d-byte payloads, %s per run after %s"
              + " warmup%n",
          uri, payloadBytes, duration, warmup);
      for (int p : pend) {
        httpInProcess(uri, p, payload, out);
      }
      return 0;
    } finally {
      if (temp != null) {
        delete(temp);
      }
    }
  }

  private int backlog(CommandLine cmd, String payload, PrintWriter out) throws Exception {
    if (broker != null || embedded || store != null) {
      throw new CommandLine.ParameterException(
          cmd,
          "--scenario backlog starts its own brokers on"
              + " fresh file:// objects; it goes with none of --broker, --embedded, --store");
    }
    boolean clientsGiven = cmd.getParseResult().hasMatchedOption("--clients");
    boolean durationGiven = cmd.getParseResult().hasMatchedOption("--duration");
    if (clientsGiven && clients.size() != 1) {
      throw new CommandLine.ParameterException(cmd, "--scenario backlog takes one --clients value");
    }
    int connections = clientsGiven ? clients.get(0) : 128;
    Duration d = durationGiven ? duration : Duration.ofSeconds(60);
    if (window.toMillis() < 100 || window.compareTo(d) > 0) {
      throw new CommandLine.ParameterException(
          cmd, "--window must be from 100ms to the run's --duration");
    }
    List<String> base =
        brokerJvmOptions == null || brokerJvmOptions.isBlank()
            ? List.of()
            : List.of(brokerJvmOptions.trim().split("\\s+"));
    List<BacklogScenario.Variant> variants = new ArrayList<>();
    if (headMaxReadyJobs == null) {
      variants.add(new BacklogScenario.Variant("broker default", base));
    } else {
      for (int h : headMaxReadyJobs) {
        if (h < 0) {
          throw new CommandLine.ParameterException(cmd, "--head-max-ready-jobs must be 0 or more");
        }
        List<String> opts = new ArrayList<>(base);
        opts.add("-Dcasq.headMaxReadyJobs=" + h);
        variants.add(
            new BacklogScenario.Variant(
                h == 0
                    ? "no segments (headMaxReadyJobs=0)"
                    : "segments (headMaxReadyJobs=" + h + ")",
                opts));
      }
    }
    Path dir = Files.createTempDirectory("casq-bench-backlog");
    try {
      new BacklogScenario(connections, d, window, payload, load == Load.wrk, storeProperties, out)
          .run(variants, dir);
    } finally {
      delete(dir);
    }
    return 0;
  }

  private int dedupe(CommandLine cmd, PrintWriter out) throws Exception {
    if (broker != null || embedded || store != null) {
      throw new CommandLine.ParameterException(
          cmd,
          "--scenario dedupe starts its own brokers on"
              + " a fresh file:// object; it goes with none of --broker, --embedded, --store");
    }
    var parsed = cmd.getParseResult();
    if (parsed.hasMatchedOption("--clients") && clients.size() != 1) {
      throw new CommandLine.ParameterException(cmd, "--scenario dedupe takes one --clients value");
    }
    Duration d = parsed.hasMatchedOption("--duration") ? duration : Duration.ofMinutes(5);
    Duration kill = noKill ? null : killAt != null ? killAt : d.dividedBy(2);
    if (kill != null && (kill.isZero() || kill.compareTo(d) >= 0)) {
      throw new CommandLine.ParameterException(cmd, "--kill-at must fall within the --duration");
    }
    if (rate < 1 || rate > 1_000_000 || retries < 0 || retries > 10_000_000) {
      throw new CommandLine.ParameterException(
          cmd, "--rate must be 1..1000000 and --retries 0..10000000");
    }
    if (batch < 1 || batch > 1000 || consumers < 1 || consumers > 256) {
      throw new CommandLine.ParameterException(
          cmd, "--batch must be 1..1000 and --consumers 1..256");
    }
    if (staleAfter.toMillis() < 600 || window.toMillis() < 100) {
      throw new CommandLine.ParameterException(
          cmd, "--stale-after must be at least 600ms and --window at least 100ms");
    }
    List<String> jvm =
        brokerJvmOptions == null || brokerJvmOptions.isBlank()
            ? List.of()
            : List.of(brokerJvmOptions.trim().split("\\s+"));
    DedupeScenario.Settings base = DedupeScenario.Settings.defaults();
    DedupeScenario.Settings settings =
        new DedupeScenario.Settings(
            rate,
            d,
            kill,
            retries,
            parsed.hasMatchedOption("--clients") ? clients.get(0) : base.connections(),
            batch,
            consumers,
            base.claimBatch(),
            window,
            staleAfter.dividedBy(6),
            staleAfter,
            base.retention(),
            payloadBytes,
            jvm,
            storeProperties,
            drain);
    Path dir = Files.createTempDirectory("casq-bench-dedupe");
    try {
      DedupeScenario.Outcome o =
          new DedupeScenario(settings, DedupeScenario.thisJava(), dir, out).run();
      return o.passed() ? 0 : 1;
    } finally {
      delete(dir);
    }
  }

  private int takeover(CommandLine cmd, PrintWriter out) throws Exception {
    if (broker != null || embedded || store != null) {
      throw new CommandLine.ParameterException(
          cmd,
          "--scenario takeover starts its own brokers on"
              + " fresh file:// objects; it goes with none of --broker, --embedded, --store");
    }
    var parsed = cmd.getParseResult();
    if (parsed.hasMatchedOption("--clients") && clients.size() != 1) {
      throw new CommandLine.ParameterException(
          cmd, "--scenario takeover takes one --clients value");
    }
    int connections = parsed.hasMatchedOption("--clients") ? clients.get(0) : 128;
    Duration after = parsed.hasMatchedOption("--duration") ? duration : Duration.ofSeconds(30);
    Duration kill = killAt != null ? killAt : Duration.ofSeconds(30);
    Duration lead =
        standbyLead != null
            ? standbyLead
            : (standbyWarmup != null ? standbyWarmup : BrokerCommand.DEFAULT_STANDBY_WARMUP)
                .plusSeconds(5);
    Duration w = parsed.hasMatchedOption("--window") ? window : Duration.ofMillis(500);
    if (connections < 1 || connections > 10_000 || runs < 1 || runs > 100) {
      throw new CommandLine.ParameterException(cmd, "--clients must be 1..10000 and --runs 1..100");
    }
    if (kill.isZero() || w.toMillis() < 100 || w.compareTo(after) > 0) {
      throw new CommandLine.ParameterException(
          cmd,
          "--kill-at must be positive and --window from 100ms to the --duration after the"
              + " takeover");
    }
    if (staleAfter.toMillis() < 600) {
      throw new CommandLine.ParameterException(cmd, "--stale-after must be at least 600ms");
    }
    List<String> jvm =
        brokerJvmOptions == null || brokerJvmOptions.isBlank()
            ? List.of()
            : List.of(brokerJvmOptions.trim().split("\\s+"));
    List<String> on =
        standbyWarmup == null
            ? List.of()
            : List.of("--standby-warmup", DedupeScenario.text(standbyWarmup));
    List<TakeoverScenario.Variant> variants =
        List.of(
            new TakeoverScenario.Variant("warm-up off", List.of("--standby-warmup", "0")),
            new TakeoverScenario.Variant("warm-up on", on));
    TakeoverScenario.Settings settings =
        new TakeoverScenario.Settings(
            connections,
            lead,
            kill,
            after,
            w,
            staleAfter,
            payloadBytes,
            jvm,
            storeProperties,
            runs);
    Path dir = Files.createTempDirectory("casq-bench-takeover");
    try {
      new TakeoverScenario(settings, DedupeScenario.thisJava(), out).run(variants, dir);
    } finally {
      delete(dir);
    }
    return 0;
  }

  private void validate(CommandLine cmd) {
    if (broker != null && queue == null) {
      throw new CommandLine.ParameterException(cmd, "--broker needs --queue");
    }
    if (broker != null && (store != null || embedded)) {
      throw new CommandLine.ParameterException(
          cmd, "--broker benches a running broker; it goes with neither --store nor --embedded");
    }
    if (clients.stream().anyMatch(c -> c < 1 || c > 10_000)
        || producers.stream().anyMatch(c -> c < 1 || c > 10_000)) {
      throw new CommandLine.ParameterException(cmd, "client and producer counts must be 1..10000");
    }
    if (pipeline < 1 || pipeline > 10_000) {
      throw new CommandLine.ParameterException(cmd, "--pipeline must be 1..10000");
    }
    if (pending != null && pending.stream().anyMatch(p -> p < 0 || p > 10_000_000)) {
      throw new CommandLine.ParameterException(cmd, "--pending must be 0..10000000");
    }
    if (payloadBytes < 2 || payloadBytes > 256 * 1024) {
      throw new CommandLine.ParameterException(cmd, "--payload-bytes must be 2..262144");
    }
    if (duration.isZero()) {
      throw new CommandLine.ParameterException(cmd, "--duration must be positive");
    }
  }

  // ---------------------------------------------------------------- HTTP

  private void httpInProcess(String uri, int pendingJobs, String payload, PrintWriter out)
      throws Exception {
    try (CasqBroker b =
        CasqBroker.builder()
            .queue("bench", uri)
            .storeProperties(storeProperties)
            .listen("127.0.0.1", 0)
            .build()
            .start()) {
      JobQueue jobs = b.tenure("bench").map(BrokerTenure::queue).orElseThrow();
      localEngine = jobs.engine().metrics();
      prefill(jobs, pendingJobs, payload);
      out.printf("%,d pending jobs kept steady by a drainer%n", pendingJobs);
      header(out);
      try (Drainer drainer = new Drainer(jobs, pendingJobs)) {
        for (int n : clients) {
          try (CasqClient c = client(b.address(), "bench", null, n)) {
            httpRun(c.queue(String.class), b.address(), n, payload, out);
          }
          drainer.check();
        }
      }
    }
  }

  private int httpAgainst(String url, String payload, PrintWriter out) throws Exception {
    out.printf(
        "broker %s queue %s, %d-byte payloads, %s per run after %s warmup (pending jobs"
            + " grow: no drainer)%n",
        url, queue, payloadBytes, duration, warmup);
    header(out);
    String t = token != null ? token : parent.env().get("CASQ_TOKEN");
    for (int n : clients) {
      try (CasqClient c = client(url, queue, t, n)) {
        httpRun(c.queue(String.class), url, n, payload, out);
      }
    }
    return 0;
  }

  private CasqClient client(String url, String name, String token, int n) {
    CasqClient.Builder b =
        CasqClient.builder()
            .httpVersion(
                http2
                    ? java.net.http.HttpClient.Version.HTTP_2
                    : java.net.http.HttpClient.Version.HTTP_1_1)
            .brokerUrl(url)
            .queueName(name)
            .takeover(TakeoverPolicy.NONE)
            .requestTimeout(Duration.ofSeconds(30))
            .retry(RetryPolicy.defaults().withDeadline(Duration.ofSeconds(60)));
    if (token != null && !token.isBlank()) {
      b.token(token.trim());
    }
    return b.build();
  }

  private static void header(PrintWriter out) {
    out.printf(
        "%-8s %11s %9s %9s %9s %9s %9s %8s %9s%n",
        "clients",
        "pushes/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "commits/s",
        "write ms",
        "errors",
        "pushes");
    out.flush();
  }

  /** One row of the table {@link #header} starts (latencies in milliseconds). */
  private static void row(
      PrintWriter out,
      int clientCount,
      double pushesPerSecond,
      double p50,
      double p99,
      double max,
      double commitsPerSecond,
      WriteTime writes,
      long errors,
      long pushes) {
    out.printf(
        "%-8d %,11.0f %9.2f %9.2f %9.2f %,9.0f %9s %8d %,9d%n",
        clientCount,
        pushesPerSecond,
        p50,
        p99,
        max,
        commitsPerSecond,
        writes.average(),
        errors,
        pushes);
    out.flush();
  }

  /** N clients, each pushing one job at a time for warmup + duration; one table row. */
  private void httpRun(ClientQueue<String> q, String url, int n, String payload, PrintWriter out)
      throws Exception {
    if (load == Load.wrk) {
      wrkRun(q, url, n, payload, out);
      return;
    }
    PushLoop warm = new PushLoop(q, n, payload);
    warm.runFor(warmup);
    QueueStats before = q.stats();
    WriteTime writes = new WriteTime();
    PushLoop loop = new PushLoop(q, n, payload);
    long elapsed = loop.runFor(duration);
    QueueStats after = q.stats();
    long[] lat = loop.latencies();
    double secs = elapsed / 1e9;
    row(
        out,
        n,
        lat.length / secs,
        percentile(lat, 0.50) / 1e6,
        percentile(lat, 0.99) / 1e6,
        (lat.length == 0 ? 0 : lat[lat.length - 1]) / 1e6,
        (after.revision() - before.revision()) / secs,
        writes,
        loop.errors.get(),
        lat.length);
    if (loop.firstError != null && loop.errors.get() > 0) {
      out.printf("         first error: %s%n", CasqCommand.oneLine(loop.firstError));
      out.flush();
    }
  }

  /** The same row, with wrk (a separate process) as the load. */
  private void wrkRun(ClientQueue<String> q, String url, int n, String payload, PrintWriter out)
      throws Exception {
    if (token != null || parent.env().get("CASQ_TOKEN") != null) {
      throw new CliException("--load wrk does not send a bearer token; bench a broker without one");
    }
    if (wrk == null) {
      wrk = WrkLoad.prepare();
    }
    String path = q.path() + "/jobs";
    if (!warmup.isZero()) {
      wrk.run(url, path, payload, n, warmup);
    }
    QueueStats before = q.stats();
    WriteTime writes = new WriteTime();
    WrkLoad.Result r = wrk.run(url, path, payload, n, duration);
    QueueStats after = q.stats();
    long pushed = after.counters().pushed() - before.counters().pushed();
    row(
        out,
        n,
        r.requestsPerSecond(),
        r.p50Millis(),
        r.p99Millis(),
        r.maxMillis(),
        (after.revision() - before.revision()) / r.seconds(),
        writes,
        r.errors(),
        pushed);
    if (pushed < r.requests() - r.errors() - n) { // up to n requests may still be in flight
      throw new CliException(
          "wrk counted "
              + (r.requests() - r.errors())
              + " successful pushes but"
              + " the queue counted "
              + pushed);
    }
  }

  private WrkLoad wrk;
  private EngineMetrics localEngine; // the in-process broker's engine, when there is one

  /** Average time of a queue-object write since it was made ("-" against a remote broker). */
  private final class WriteTime {
    final long commits = localEngine == null ? 0 : localEngine.commits();
    final long nanos = localEngine == null ? 0 : localEngine.writeNanos();

    String average() {
      if (localEngine == null) {
        return "-";
      }
      long c = localEngine.commits() - commits;
      return c == 0 ? "-" : String.format("%.2f", (localEngine.writeNanos() - nanos) / 1e6 / c);
    }
  }

  /** Closed-loop load: N chains of asynchronous pushes, each starting the next when it ends. */
  private static final class PushLoop {
    final ClientQueue<String> q;
    final String payload;
    final long[][] samples;
    final int[] counts;
    final AtomicLong errors = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();
    final CountDownLatch finished;
    volatile Throwable firstError;
    long measureStart;

    PushLoop(ClientQueue<String> q, int n, String payload) {
      this.q = q;
      this.payload = payload;
      this.samples = new long[n][1024];
      this.counts = new int[n];
      this.finished = new CountDownLatch(n);
    }

    long runFor(Duration d) throws InterruptedException {
      measureStart = System.nanoTime();
      for (int i = 0; i < samples.length; i++) {
        next(i);
      }
      finished.await(d.toMillis(), TimeUnit.MILLISECONDS); // the run's length, then stop
      stop.set(true);
      long elapsed = System.nanoTime() - measureStart;
      finished.await(120, TimeUnit.SECONDS);
      return elapsed;
    }

    void next(int chain) {
      if (stop.get()) {
        finished.countDown();
        return;
      }
      long start = System.nanoTime();
      q.pushJsonAsync(payload, PushOptions.none())
          .whenComplete(
              (r, e) -> {
                long end = System.nanoTime();
                if (e != null) {
                  errors.incrementAndGet();
                  if (firstError == null) {
                    firstError = e;
                  }
                } else if (!stop.get()) {
                  record(chain, end - start);
                }
                next(chain);
              });
    }

    void record(int chain, long nanos) {
      long[] s = samples[chain];
      if (counts[chain] == s.length) {
        samples[chain] = s = Arrays.copyOf(s, s.length * 2);
      }
      s[counts[chain]++] = nanos;
    }

    long[] latencies() {
      int total = 0;
      for (int c : counts) {
        total += c;
      }
      long[] all = new long[total];
      int at = 0;
      for (int i = 0; i < samples.length; i++) {
        System.arraycopy(samples[i], 0, all, at, counts[i]);
        at += counts[i];
      }
      Arrays.sort(all);
      return all;
    }
  }

  // ---------------------------------------------------------------- embedded

  private void embeddedRun(
      String uri, int pendingJobs, int producerCount, String payload, PrintWriter out)
      throws Exception {
    QueueOptions options = QueueOptions.builder().storeProperties(storeProperties).build();
    try (JobQueue jobs = JobQueue.open(uri, options)) {
      prefill(jobs, pendingJobs, payload);
      try (Drainer drainer = new Drainer(jobs, pendingJobs)) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong pushed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < producerCount; i++) {
          Thread t =
              new Thread(
                  () -> produce(jobs, payload, stop, pushed, errors), "casq-bench-producer-" + i);
          t.setDaemon(true);
          threads.add(t);
        }
        threads.forEach(Thread::start);
        CountDownLatch never = new CountDownLatch(1);
        never.await(warmup.toMillis(), TimeUnit.MILLISECONDS); // warmup runs meanwhile
        EngineMetrics m = jobs.engine().metrics();
        long p0 = pushed.get();
        long c0 = m.commits();
        long k0 = m.commands();
        long t0 = System.nanoTime();
        never.await(duration.toMillis(), TimeUnit.MILLISECONDS); // the measured run
        long p1 = pushed.get();
        long c1 = m.commits();
        long k1 = m.commands();
        double secs = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread t : threads) {
          t.join(60_000);
        }
        drainer.check();
        out.printf(
            "%-9s %-10d %-9d %,12.0f %,11.0f %11.1f %12s%s%n",
            String.format("%,d", pendingJobs),
            producerCount,
            pipeline,
            (p1 - p0) / secs,
            (c1 - c0) / secs,
            (k1 - k0) / (double) Math.max(1, c1 - c0),
            bytes(m.lastObjectBytes()),
            errors.get() == 0 ? "" : "  errors " + errors.get());
        out.flush();
      }
    }
  }

  private void produce(
      JobQueue jobs, String payload, AtomicBoolean stop, AtomicLong pushed, AtomicLong errors) {
    Semaphore window = new Semaphore(pipeline);
    try {
      while (!stop.get()) {
        window.acquire();
        jobs.push(PushRequest.of(payload))
            .whenComplete(
                (r, e) -> {
                  if (e == null) {
                    pushed.incrementAndGet();
                  } else {
                    errors.incrementAndGet();
                  }
                  window.release();
                });
      }
      window.acquire(pipeline); // wait for the last ones
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- shared

  /** Pushes {@code n} jobs (in chunks, so the group commit batches them). */
  private static void prefill(JobQueue jobs, int n, String payload) throws Exception {
    int have = jobs.stats().get().pending();
    for (int done = have; done < n; ) {
      int chunk = Math.min(20_000, n - done);
      List<CompletableFuture<?>> fs = new ArrayList<>(chunk);
      for (int i = 0; i < chunk; i++) {
        fs.add(jobs.push(PushRequest.of(payload)));
      }
      CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get();
      done += chunk;
    }
  }

  /**
   * Keeps the pending count near its target during a run: whenever the excess reaches max(100,
   * target/10) jobs, it claims it (1000 per claim) and completes it, through the queue's own engine
   * (a few commits per batch, not per job).
   */
  private static final class Drainer implements AutoCloseable {
    private final JobQueue jobs;
    private final int target;
    private final int slack;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile Throwable failure;

    Drainer(JobQueue jobs, int target) {
      this.jobs = jobs;
      this.target = target;
      this.slack = Math.max(100, target / 10); // drain in batches, not one job per commit
      this.thread = new Thread(this::drain, "casq-bench-drainer");
      thread.setDaemon(true);
      thread.start();
    }

    private void drain() {
      CountDownLatch idle = new CountDownLatch(1);
      while (running.get()) {
        try {
          int excess = jobs.stats().get().pending() - target;
          if (excess < slack) {
            idle.await(2, TimeUnit.MILLISECONDS); // polling background load, not synchronisation
            continue;
          }
          List<CompletableFuture<List<Job>>> claims = new ArrayList<>();
          for (int left = excess; left > 0; left -= 1000) {
            claims.add(
                jobs.claim(
                    new ClaimRequest(
                        "bench-drainer", Duration.ofMinutes(10), Math.min(1000, left), null)));
          }
          List<CompletableFuture<?>> done = new ArrayList<>(excess);
          for (CompletableFuture<List<Job>> claim : claims) {
            for (Job j : claim.get()) {
              done.add(jobs.complete(j.id(), j.lease().token(), null));
            }
          }
          CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          if (running.get()) {
            failure = e;
            return;
          }
        }
      }
    }

    void check() {
      if (failure != null) {
        throw new CliException("the drainer failed: " + CasqCommand.oneLine(failure), failure);
      }
    }

    @Override
    public void close() {
      running.set(false);
      thread.interrupt();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static String payload(int bytes) {
    StringBuilder sb = new StringBuilder("{\"data\":\"");
    while (sb.length() < bytes - 2) {
      sb.append('x');
    }
    sb.append("\"}");
    return sb.toString();
  }

  private static String bytes(long n) {
    if (n < 10_000) {
      return n + " B";
    }
    if (n < 10_000_000) {
      return n / 1024 + " KiB";
    }
    return n / (1024 * 1024) + " MiB";
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
