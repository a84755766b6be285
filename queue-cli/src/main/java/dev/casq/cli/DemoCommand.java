package dev.casq.cli;

import dev.casq.api.QueueStats;
import dev.casq.api.WorkerOptions;
import dev.casq.broker.CasqBroker;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.ClientWorker;
import dev.casq.client.TakeoverPolicy;
import dev.casq.election.BrokerActiveException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casq demo}: a broker, producers and workers in one process, with live progress. */
@Command(
    name = "demo",
    header = "Run a broker, producers and workers with live progress.",
    description =
        "Starts a broker on a file:// store (its dashboard and metrics URLs are printed), has many"
            + " concurrent producers push jobs over HTTP for --duration (or until --jobs were"
            + " pushed), works them off with a worker pool and shows progress every second (pushed"
            + " and completed per second, queue depth, commits) until every job is done; then a"
            + " summary. The queue object stays behind for `casq inspect` and `casq stats`.")
final class DemoCommand implements Callable<Integer> {
  /** The demo's job. */
  record DemoJob(long n, int producer, String note) {}

  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();

  @Option(
      names = "--store",
      paramLabel = "URI",
      description =
          "The queue object. Default: ./casq-data/demo.json (file://, created if" + " missing).")
  String store;

  @Option(
      names = "--store-property",
      paramLabel = "KEY=VALUE",
      description = "A store property (repeatable), e.g. file.fsync=false.")
  Map<String, String> storeProperties = new LinkedHashMap<>();

  /** How long producers push when neither --duration nor --jobs is given. */
  static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);

  @Option(
      names = "--duration",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long the producers push. Default: 10s, or until --jobs were pushed when"
              + " that is given.")
  Duration duration;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      description =
          "Push this many jobs (and stop earlier if --duration is given and over)."
              + " Default: as many as --duration allows.")
  Long jobs;

  @Option(
      names = "--producers",
      paramLabel = "N",
      defaultValue = "64",
      description =
          "Concurrent producers (clients pushing one job at a time, each waiting for"
              + " its push to be durable). Default: ${DEFAULT-VALUE}.")
  int producers;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "16",
      description = "Jobs worked at once. Default: ${DEFAULT-VALUE}.")
  int workers;

  @Option(
      names = "--work-time",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "0ms",
      description = "Simulated time each job takes. Default: ${DEFAULT-VALUE}.")
  Duration workTime;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "10m",
      description = "Give up (exit 1) if not done by then. Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    if ((jobs != null && jobs < 1)
        || producers < 1
        || workers < 1
        || producers > 10_000
        || workers > 10_000) {
      throw new CommandLine.ParameterException(
          cmd,
          "--jobs, --producers and --workers must be at least 1 (producers/workers at most"
              + " 10000)");
    }
    if (duration == null && jobs == null) {
      duration = DEFAULT_DURATION;
    }
    if (duration != null && (duration.isZero() || duration.isNegative())) {
      throw new CommandLine.ParameterException(cmd, "--duration must be positive");
    }
    String uri = store;
    if (uri == null) {
      Path file = Path.of("casq-data", "demo.json").toAbsolutePath();
      Files.createDirectories(file.getParent());
      uri = file.toUri().toString();
    }
    PrintWriter out = cmd.getOut();
    out.printf(
        "casq demo: %d producers pushing %s, %d workers, store %s%n",
        producers,
        jobs == null
            ? "for " + human(duration)
            : String.format("%,d jobs", jobs)
                + (duration == null ? "" : " (at most " + human(duration) + ")"),
        workers,
        uri);
    out.flush();
    try (CasqBroker broker = startBroker(uri, out);
        CasqClient client =
            CasqClient.builder()
                .storeUri(uri)
                .storeProperties(storeProperties)
                .queueName("demo")
                .takeover(TakeoverPolicy.NONE)
                .build()) {
      out.printf(
          "broker %s at %s%n  dashboard: %s/  (open it while the demo runs)%n"
              + "  metrics:   %s/metrics (Prometheus)%n",
          broker.brokerId(), broker.address(), broker.address(), broker.address());
      out.println(COLUMNS);
      out.flush();
      return run(client.queue(DemoJob.class), uri, out);
    }
  }

  /**
   * Starts the demo's broker. If a broker holds the demo queue (another demo, or one that crashed a
   * moment ago), waits up to 30s for its heartbeat to go stale and takes over.
   */
  private CasqBroker startBroker(String uri, PrintWriter out) throws Exception {
    try {
      return builder(uri).build().start();
    } catch (BrokerActiveException e) {
      out.printf(
          "another broker holds the demo queue (%s at %s); waiting up to 30s for it to go"
              + " away...%n",
          e.activeBroker().id(), e.activeBroker().address());
      out.flush();
    }
    CasqBroker standby = builder(uri).standby(true).build();
    CompletableFuture<CasqBroker> started = CompletableFuture.supplyAsync(standby::start);
    try {
      return started.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      standby.close();
      throw new CliException(
          "another broker still serves the demo queue at "
              + uri
              + "; stop it or use --store for another object");
    } catch (ExecutionException e) {
      standby.close();
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  /** What the progress columns mean, printed before the first line. */
  static final String COLUMNS =
      String.join(
          System.lineSeparator(),
          "every second: time since the start;",
          "  pushed     jobs pushed so far (per second): each push returns once it is durable",
          "  completed  jobs the workers finished (per second): a claim and a complete each",
          "  depth      jobs pushed but not finished yet: waiting, scheduled or being worked",
          "  commits    writes of the queue object (per second): each carries many pushes, claims"
              + " and completes at once (group commit)");

  private CasqBroker.Builder builder(String uri) {
    return CasqBroker.builder()
        .queue("demo", uri)
        .storeProperties(storeProperties)
        .listen("127.0.0.1", 0);
  }

  private int run(ClientQueue<DemoJob> queue, String storeUri, PrintWriter out) throws Exception {
    QueueStats before = queue.stats();
    AtomicLong pushed = new AtomicLong();
    AtomicLong pushNanos = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long t0 = System.nanoTime();
    long sleepMillis = workTime.toMillis();
    WorkerOptions wo =
        WorkerOptions.of("demo-worker", workers)
            .withPollWait(Duration.ofSeconds(1))
            .withShutdownGrace(Duration.ofSeconds(5));
    ClientWorker<DemoJob> worker =
        queue.worker(
            job -> {
              if (sleepMillis > 0) {
                Thread.sleep(sleepMillis); // the simulated work itself
              }
            },
            wo);
    CountDownLatch producersDone = new CountDownLatch(producers);
    List<Thread> threads = new ArrayList<>();
    long pushUntil = duration == null ? Long.MAX_VALUE : t0 + duration.toNanos();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      long share =
          jobs == null ? Long.MAX_VALUE : jobs / producers + (p < jobs % producers ? 1 : 0);
      Thread t =
          new Thread(
              () -> {
                try {
                  for (long i = 0;
                      i < share && failure.get() == null && System.nanoTime() < pushUntil;
                      i++) {
                    long s = System.nanoTime();
                    queue.push(new DemoJob(i, producer, "hello from producer " + producer));
                    pushNanos.addAndGet(System.nanoTime() - s);
                    pushed.incrementAndGet();
                  }
                } catch (RuntimeException e) {
                  failure.compareAndSet(null, e);
                } finally {
                  producersDone.countDown();
                }
              },
              "casq-demo-producer-" + p);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);

    boolean interactive = System.console() != null;
    long lastPushed = 0;
    long lastCompleted = 0;
    long lastRevision = before.revision();
    long lastTick = t0;
    long deadline = t0 + timeout.toNanos();
    QueueStats now = before;
    CountDownLatch never = new CountDownLatch(1);
    try {
      while (true) {
        never.await(1, TimeUnit.SECONDS); // one progress line per second
        boolean producing = producersDone.getCount() > 0;
        now = queue.stats();
        long tick = System.nanoTime();
        double secs = (tick - lastTick) / 1e9;
        long p = pushed.get();
        long c = worker.completed();
        String line =
            String.format(
                "%5.1fs  pushed %,7d (%,6.0f/s)  completed %,7d (%,6.0f/s)  depth %,6d"
                    + "  commits %,6d (%,5.0f/s)",
                (tick - t0) / 1e9,
                p,
                (p - lastPushed) / secs,
                c,
                (c - lastCompleted) / secs,
                now.pending(),
                now.revision() - before.revision(),
                (now.revision() - lastRevision) / secs);
        out.print(interactive ? "\r" + line : line + System.lineSeparator());
        out.flush();
        lastPushed = p;
        lastCompleted = c;
        lastRevision = now.revision();
        lastTick = tick;
        if (failure.get() != null) {
          break;
        }
        if (!producing && now.pending() == 0 && c >= pushed.get()) {
          break;
        }
        if (tick > deadline) {
          failure.compareAndSet(
              null,
              new CliException(
                  "the demo did not finish within "
                      + timeout
                      + " ("
                      + now.pending()
                      + " jobs pending)"));
          break;
        }
      }
    } finally {
      if (interactive) {
        out.println();
      }
      worker.close();
    }
    if (failure.get() != null) {
      Throwable f = failure.get();
      throw f instanceof RuntimeException re ? re : new CliException(f.toString(), f);
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long commits = now.revision() - before.revision();
    long completed = now.counters().completed() - before.counters().completed();
    out.printf(
        "done: %,d jobs pushed and %,d completed in %.1fs (%,.0f jobs/s end to end)%n",
        pushed.get(), completed, elapsed, completed / elapsed);
    out.printf(
        "      mean push latency %.2f ms with %d producers; %,d commits (%.1f operations"
            + " per commit: every push, claim and complete is one)%n",
        pushNanos.get() / 1e6 / Math.max(1, pushed.get()),
        producers,
        commits,
        (pushed.get() + 2.0 * completed) / Math.max(1, commits));
    out.printf(
        "      queue: %d pending, %d dead; look at it with: casq stats --store %s%n",
        now.pending(), now.counters().dead() - before.counters().dead(), storeUri);
    out.flush();
    return 0;
  }
}
