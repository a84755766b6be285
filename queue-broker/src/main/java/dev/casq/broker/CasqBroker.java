package dev.casq.broker;

import dev.casq.api.QueueClosedException;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.JobQueue;
import dev.casq.election.BrokerActiveException;
import dev.casq.election.BrokerDiscovery;
import dev.casq.election.BrokerProbe;
import dev.casq.election.BrokerTenure;
import dev.casq.election.ElectionOptions;
import dev.casq.election.ProbeResult;
import dev.casq.election.QueueNames;
import dev.casq.election.Standby;
import dev.casq.election.TakeoverDecision;
import dev.casq.election.TakeoverRule;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.StoreProperties;
import dev.casq.storage.Stores;
import dev.casq.wire.ErrorCode;
import dev.casq.wire.WireLimits;
import dev.casq.wire.WireReader;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The casq broker: serves one or more queues (one queue object and one commit engine each) over an
 * HTTP/JSON API, with a dashboard at {@code /}, Prometheus metrics at {@code /metrics} and {@code
 * /health}.
 *
 * <pre>{@code
 * try (CasqBroker broker = CasqBroker.builder()
 *         .queue("file:///var/casq/emails.json")
 *         .listen("0.0.0.0", 8420)
 *         .advertisedAddress("http://10.0.0.5:8420")
 *         .token(System.getenv("CASQ_TOKEN"))
 *         .build()
 *         .start()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>{@link #start()} claims every queue through broker election: it fails with {@link
 * BrokerActiveException} when a live broker holds one, unless {@link Builder#standby(boolean)
 * standby} is on, in which case it waits until that broker's heartbeat is stale and its {@code
 * /health} does not answer, then takes over. When a newer broker takes a queue over, this broker
 * stops serving it at once and forwards late requests to the new broker (421 naming it when they
 * cannot be forwarded; see {@link Forwarder}).
 */
public final class CasqBroker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CasqBroker.class);

  /** Default listen host: loopback only. */
  public static final String DEFAULT_LISTEN_HOST = "127.0.0.1";

  /** Default port. */
  public static final int DEFAULT_PORT = 8420;

  /** Default limit of a request body: 1 MiB. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

  /** Default limit of JSON nesting in a request body. */
  public static final int DEFAULT_MAX_JSON_DEPTH = 64;

  /** Default bound of commands waiting in one queue's engine: past it requests get 503. */
  public static final int DEFAULT_MAX_QUEUED_COMMANDS = RequestLimits.DEFAULT_MAX_QUEUED_COMMANDS;

  /** Default bound of long-poll claims waiting on one queue: past it such claims get 503. */
  public static final int DEFAULT_MAX_CLAIM_WAITERS = RequestLimits.DEFAULT_MAX_CLAIM_WAITERS;

  /** Default bound of open connections: past it new ones wait to be accepted. */
  public static final int DEFAULT_MAX_CONNECTIONS = RequestLimits.DEFAULT_MAX_CONNECTIONS;

  /** Default interval of the samples behind the dashboard's charts. */
  public static final Duration DEFAULT_DASHBOARD_SAMPLE_INTERVAL = Duration.ofSeconds(5);

  /** Default time {@link #close()} may take: drain, resign every queue, stop the server. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  private final Settings settings;
  private final Map<String, ServedQueue> queues;
  private final Map<String, BrokerMetrics.QueueMeters> meters = new HashMap<>();
  private final BrokerMetrics metrics;
  private final WireReader reader;
  private final BearerAuth auth;
  private final byte[] dashboard;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Counted down once the first close() finished: later callers wait for it. */
  private final CountDownLatch closeDone = new CountDownLatch(1);

  /** Late requests forwarded to the broker serving their queue now, at most, at once. */
  static final int MAX_FORWARDS_IN_FLIGHT = 512;

  /** Completes once every queue was handed over to another broker. */
  private final CompletableFuture<Void> handedOver = new CompletableFuture<>();

  private final ScheduledExecutorService scheduler;
  private final BrokerProbe probe;
  private volatile boolean starting = true;
  private volatile boolean stopping;
  private volatile GracefulHandler graceful;
  private volatile Thread startingThread;
  private volatile String address;
  private volatile int port = -1;
  private Server server;

  /** Forwards late requests for queues handed over (or taken over) to the broker serving them. */
  private Forwarder forwarder;

  private QueuedThreadPool threads;

  /** Warms the hot path while this standby waits; null when off or ended. */
  private volatile StandbyWarmup warmup;

  private CasqBroker(Settings settings) {
    this.settings = settings;
    this.metrics = new BrokerMetrics(settings.queueOptions.engineOptions().clock());
    Map<String, ServedQueue> m = new LinkedHashMap<>();
    for (QueueSpec spec : settings.queues) {
      ServedQueue q = new ServedQueue(spec, settings.dashboardSampleInterval);
      m.put(spec.name(), q);
      meters.put(spec.name(), metrics.queue(spec.name(), q));
    }
    this.queues = Collections.unmodifiableMap(m);
    this.reader = new WireReader(settings.maxJsonDepth);
    this.auth = BearerAuth.of(settings.token);
    this.dashboard = loadDashboard();
    this.probe =
        settings.probe != null ? settings.probe : new HttpHealthProbe(settings.probeTimeout);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "casq-broker-heartbeats");
              t.setDaemon(true);
              return t;
            });
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Listens, then claims every queue and serves it. Returns once all queues are served.
   *
   * @return this broker
   * @throws BrokerActiveException when a live broker holds a queue (and standby is off)
   * @throws BrokerConfigurationException when the address cannot be listened on
   * @throws dev.casq.api.CasqException when a store cannot be used
   */
  public CasqBroker start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("the broker was started already");
    }
    startingThread = Thread.currentThread();
    try {
      startServer();
      long every = settings.dashboardSampleInterval.toMillis();
      scheduler.scheduleAtFixedRate(this::sampleQueues, every, every, TimeUnit.MILLISECONDS);
      if (settings.standby && settings.standbyWarmup.compareTo(Duration.ZERO) > 0) {
        QueueSpec first = settings.queues.get(0);
        Map<String, String> props = new HashMap<>(settings.storeProperties);
        props.putAll(first.storeProperties());
        warmup =
            StandbyWarmup.start(
                first.storeUri(), props, settings.queueOptions, settings.standbyWarmup);
      }
      for (ServedQueue q : queues.values()) {
        claim(q);
      }
      starting = false;
      if (settings.quiet) {
        log.debug("broker {} serves {} at {}", settings.brokerId, queues.keySet(), address);
      } else {
        log.info("broker {} serves {} at {}", settings.brokerId, queues.keySet(), address);
      }
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    } finally {
      endWarmup();
      startingThread = null;
      Thread.interrupted(); // do not leak an interrupt from close() to the caller
    }
  }

  /** The base URL recorded in the queue objects, e.g. {@code http://10.0.0.5:8420}. */
  public String address() {
    return address;
  }

  /** The port listened on (the actual one when 0 was asked for); -1 before start. */
  public int port() {
    return port;
  }

  public String brokerId() {
    return settings.brokerId;
  }

  public List<String> queueNames() {
    return List.copyOf(queues.keySet());
  }

  /**
   * True while this broker serves {@code queue} (false before the claim, once fenced or closed).
   */
  public boolean isServing(String queue) {
    ServedQueue q = queues.get(queue);
    return q != null && q.status() == ServedQueue.Status.SERVING;
  }

  /** Our record while serving; the newer broker's once fenced; empty when unknown. */
  public Optional<BrokerRecord> broker(String queue) {
    ServedQueue q = queues.get(queue);
    return q == null ? Optional.empty() : Optional.ofNullable(q.broker());
  }

  /** The tenure of a served queue (for embedding and tests). */
  public Optional<BrokerTenure> tenure(String queue) {
    ServedQueue q = queues.get(queue);
    return q == null ? Optional.empty() : Optional.ofNullable(q.tenure());
  }

  /**
   * Adds one sample to the dashboard's series of every serving queue: reads what each engine
   * published, never sends one a command. Never throws (that would end the periodic task).
   */
  private void sampleQueues() {
    java.time.Instant now = settings.queueOptions.engineOptions().clock().instant();
    for (ServedQueue q : queues.values()) {
      try {
        JobQueue queue = q.queue();
        if (q.status() == ServedQueue.Status.SERVING && queue != null) {
          q.series.add(QueueSample.of(queue.engine().metrics(), now));
        }
      } catch (RuntimeException e) {
        log.debug("sampling queue {} for the dashboard failed: {}", q.name(), e.toString());
      }
    }
  }

  /** The queue behind {@code name} while served (benchmarks and tests in this package). */
  JobQueue jobQueue(String name) {
    ServedQueue q = queues.get(name);
    return q == null ? null : q.queue();
  }

  /** Ends the standby's warm-up, if any, without waiting for it. */
  private void endWarmup() {
    StandbyWarmup w = warmup;
    if (w != null) {
      w.stop();
    }
  }

  /** The standby's warm-up while it runs or after it ran (tests in this package). */
  StandbyWarmup standbyWarmup() {
    return warmup;
  }

  /** The meter registry behind {@code /metrics}. */
  public MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  /**
   * Stops serving, within the shutdown timeout: new requests get 503 with {@code Retry-After: 0}
   * (so clients retry at once, at the next broker), the commands already in each queue's engine
   * land and are answered, every queue is resigned (so the next broker claims it at once) and
   * closed, waiting long-polls return empty, then the server stops. If the timeout passes first,
   * one log line says so and close returns anyway.
   *
   * <p>Every caller returns only once the shutdown finished: a second {@code close()} (a signal
   * handler racing the main thread, say) waits for the first instead of returning at once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      awaitClosed();
      return;
    }
    try {
      shutDown();
    } finally {
      metrics.close();
      closeDone.countDown();
    }
  }

  private void awaitClosed() {
    boolean interrupted = false;
    while (true) {
      try {
        closeDone.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the HTTP server's graceful stop has begun (tests). */
  boolean httpStopping() {
    GracefulHandler g = graceful;
    return g != null && g.isShutdown();
  }

  private void shutDown() {
    long deadline = System.nanoTime() + settings.shutdownTimeout.toNanos();
    stopping = true;
    endWarmup();
    Thread t = startingThread;
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
    }
    if (!starting && !settings.quiet) {
      log.info("broker {} stopping: draining and resigning {}", settings.brokerId, queues.keySet());
    }
    List<Thread> closers = new ArrayList<>();
    for (ServedQueue q : queues.values()) {
      Thread closer =
          new Thread(
              () -> {
                try {
                  q.close();
                } catch (RuntimeException e) {
                  log.warn("closing queue {} failed: {}", q.name(), e.toString());
                }
              },
              "casq-broker-close-" + q.name());
      closer.setDaemon(true);
      closer.start();
      closers.add(closer);
    }
    boolean resigned = joinAll(closers, deadline);
    if (!resigned) {
      log.warn(
          "broker {}: draining and resigning did not finish within the shutdown timeout"
              + " ({}); stopping without waiting for it",
          settings.brokerId,
          settings.shutdownTimeout);
    }
    log.debug("broker {}: queues closed", settings.brokerId);
    if (server != null) {
      long left = Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      server.setStopTimeout(Math.min(5_000, left));
      try {
        server.stop();
      } catch (Exception e) {
        log.warn("stopping the HTTP server failed: {}", e.toString());
      }
    }
    scheduler.shutdownNow();
    if (settings.quiet) {
      log.debug("broker {} stopped", settings.brokerId);
    } else {
      log.info("broker {} stopped", settings.brokerId);
    }
  }

  /** Joins {@code threads} until {@code deadline}; false when one still runs then. */
  private static boolean joinAll(List<Thread> threads, long deadline) {
    boolean interrupted = false;
    try {
      for (Thread th : threads) {
        while (th.isAlive()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          try {
            TimeUnit.NANOSECONDS.timedJoin(th, left);
          } catch (InterruptedException e) {
            interrupted = true; // the shutdown is bounded by its deadline, not by interrupts
          }
        }
      }
      return true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Hands queues over at a clean point (what {@code POST /admin/handover} does): for each, new
   * requests are turned away (421 naming the successor when one is given, else 503 with {@code
   * Retry-After: 0}), the write in flight and the commands already in the engine land and are
   * answered, then the queue is resigned and its engine closed. The successor claims at the next
   * epoch as soon as it sees the resignation.
   *
   * @param names the queues to hand over; all when empty
   * @param successorId the id of the broker that will claim them, or null for whoever claims next
   * @param successorAddress its base URL (with {@code successorId})
   * @return each queue's record as resigned
   */
  public Map<String, BrokerRecord> handOver(
      List<String> names, String successorId, String successorAddress) {
    List<String> which = names == null || names.isEmpty() ? List.copyOf(queues.keySet()) : names;
    Map<String, BrokerRecord> resigned = new LinkedHashMap<>();
    Instant now = Clock.systemUTC().instant();
    for (String name : which) {
      ServedQueue q = queues.get(name);
      if (q == null) {
        throw new IllegalArgumentException("this broker serves no queue named '" + name + "'");
      }
      BrokerRecord held = q.broker();
      BrokerRecord successor =
          successorId == null || held == null
              ? null
              : new BrokerRecord(successorId, successorAddress, held.epoch() + 1, now);
      resigned.put(name, q.handOver(successor));
    }
    if (queues.values().stream().allMatch(q -> q.status() == ServedQueue.Status.HANDED_OVER)) {
      log.info(
          "broker {} handed every queue over; their late requests: {}",
          settings.brokerId,
          successorId == null ? "503" : "forwarded to " + successorId);
      handedOver.complete(null);
    }
    return resigned;
  }

  /** Completes once every queue of this broker was handed over (then it only redirects). */
  public CompletableFuture<Void> whenHandedOver() {
    return handedOver.copy();
  }

  // ------------------------------------------------------------------ start

  private void startServer() {
    threads = new QueuedThreadPool(settings.maxThreads, Math.min(8, settings.maxThreads));
    threads.setName("casq-http");
    threads.setDaemon(true);
    server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // Jetty's per-connection header cache matches values case-insensitively by default: a
    // token differing only in case from one sent earlier on the connection would be replaced by
    // the earlier one. Bearer tokens are case-sensitive.
    http.setHeaderCacheCaseSensitive(true);
    // HTTP/1.1, plus HTTP/2 without TLS (h2c, by upgrade or prior knowledge): clients such as
    // the JDK HttpClient then multiplex all their requests over one connection
    ServerConnector connector =
        new ServerConnector(
            server, 1, 1, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
    connector.setHost(settings.listenHost);
    connector.setPort(settings.port);
    connector.setIdleTimeout(WireLimits.MAX_WAIT.plusSeconds(60).toMillis());
    connector.setAcceptQueueSize(4096);
    server.addConnector(connector);
    // past the bound, the connector stops accepting until a connection closes
    server.addBean(new NetworkConnectionLimit(settings.maxConnections, connector));
    forwarder = new Forwarder(settings.brokerId, MAX_FORWARDS_IN_FLIGHT, settings.maxRequestBytes);
    GracefulHandler graceful = new StoppingGracefulHandler(new ApiHandler(new HandlerContext()));
    this.graceful = graceful;
    server.setHandler(graceful);
    server.setStopTimeout(5_000);
    try {
      server.start();
    } catch (Exception e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof BindException) {
          throw new BrokerConfigurationException(
              "cannot listen on "
                  + settings.listenHost
                  + ":"
                  + settings.port
                  + ": "
                  + c.getMessage()
                  + " (is another broker using the port?)",
              e);
        }
      }
      throw new BrokerConfigurationException(
          "cannot start the HTTP server on " + settings.listenHost + ":" + settings.port + ": " + e,
          e);
    }
    port = connector.getLocalPort();
    address =
        settings.advertisedAddress != null
            ? settings.advertisedAddress
            : "http://" + urlHost(settings.listenHost) + ":" + port;
  }

  private void claim(ServedQueue served) {
    QueueSpec spec = served.spec;
    Map<String, String> props = new HashMap<>(settings.queueOptions.storeProperties());
    props.putAll(settings.storeProperties);
    props.putAll(spec.storeProperties());
    StoreLocation location = Stores.open(spec.storeUri(), props);
    served.opened(location);
    Clock clock = settings.queueOptions.engineOptions().clock();
    BrokerDiscovery discovery = BrokerDiscovery.on(location);
    BrokerProbe queueProbe = probe instanceof HttpHealthProbe h ? h.forQueue(spec.name()) : probe;
    Standby standby =
        new Standby(discovery, queueProbe, settings.election, settings.standbyPollInterval, clock);
    while (true) {
      if (closed.get()) {
        throw new QueueClosedException("the broker was closed while starting");
      }
      if (settings.standby) {
        try {
          Standby.Vacancy v = standby.await();
          if (v.previous() != null) {
            served.epochs.add(EpochHistory.Event.FOUND, v.previous(), Instant.now());
          }
          endWarmup(); // the takeover goes first
          log.info(
              "queue {} needs a broker (previous: {}); claiming it",
              spec.name(),
              v.previous() == null ? "none" : v.previous().id());
        } catch (InterruptedException e) {
          throw new QueueClosedException("the broker was closed while waiting as a standby");
        }
      } else {
        if (settings.handover) {
          askForHandover(discovery, spec.name());
        }
        preflight(discovery, queueProbe, clock)
            .ifPresent(r -> served.epochs.add(EpochHistory.Event.FOUND, r, Instant.now()));
      }
      JobQueue queue = JobQueue.open(location, settings.queueOptions);
      BrokerMetrics.QueueMeters m = meters.get(spec.name());
      m.bind(queue.engine()); // before the tenure's first commit
      queue
          .engine()
          .onCommit(
              state ->
                  served.snapshot(QueueSnapshot.of(state, queue.engine().committedRevision())));
      BrokerTenure tenure;
      try {
        tenure =
            BrokerTenure.builder(queue, settings.brokerId, address)
                .options(settings.election)
                .clock(clock)
                .scheduler(scheduler)
                .resignOnClose(settings.resignOnClose)
                .onFenced(e -> fenced(served, e))
                .acquire();
      } catch (BrokerActiveException e) {
        queue.close();
        if (!settings.standby) {
          throw e;
        }
        log.info(
            "queue {} was claimed by {} first; standing by", spec.name(), e.activeBroker().id());
        continue;
      } catch (RuntimeException e) {
        queue.close();
        throw e;
      }
      served.serving(queue, tenure);
      if (closed.get()) {
        served.close();
        throw new QueueClosedException("the broker was closed while starting");
      }
      return;
    }
  }

  /**
   * Planned hand-over: asks the live broker recorded for {@code queue} to resign it for us at a
   * clean point ({@code POST /admin/handover}); returns once it has, so that our claim follows at
   * once. Nothing is asked when no broker, a resigned one or this broker is recorded.
   */
  private void askForHandover(BrokerDiscovery discovery, String queue) {
    Optional<BrokerRecord> recorded = discovery.current();
    if (recorded.isEmpty()
        || recorded.get().id().equals(settings.brokerId)
        || TakeoverRule.isResigned(recorded.get())) {
      return;
    }
    BrokerRecord from = recorded.get();
    log.info("queue {}: asking broker {} at {} to hand it over", queue, from.id(), from.address());
    BrokerRecord resigned =
        HandoverRequest.send(
            from,
            queue,
            settings.brokerId,
            address,
            settings.token,
            settings.shutdownTimeout.plusSeconds(5));
    log.info(
        "queue {}: broker {} resigned it at epoch {}; claiming",
        queue,
        resigned.id(),
        resigned.epoch());
  }

  /**
   * Refuses to displace a recorded broker unless {@link TakeoverRule} allows a takeover.
   *
   * @return the broker recorded in the queue object, if any
   */
  private Optional<BrokerRecord> preflight(
      BrokerDiscovery discovery, BrokerProbe queueProbe, Clock clock) {
    Optional<BrokerRecord> recorded = discovery.current();
    if (recorded.isEmpty() || recorded.get().id().equals(settings.brokerId)) {
      return recorded;
    }
    BrokerRecord r = recorded.get();
    Duration staleAfter = settings.election.staleAfter();
    ProbeResult answer =
        TakeoverRule.probeNeeded(r, clock.instant(), staleAfter)
            ? queueProbe.probe(r)
            : ProbeResult.notAsked();
    TakeoverDecision d = TakeoverRule.decide(r, answer, clock.instant(), staleAfter);
    if (!d.takeOver()) {
      log.info("not taking over: {}", d.reason());
      throw new BrokerActiveException(r);
    }
    return recorded;
  }

  private void fenced(ServedQueue served, FencedException e) {
    if (served.fenced(e, threads)) {
      meters.get(served.name()).fenced();
      log.warn(
          "queue {} was taken over: {}; this broker answers 421 for it from now on",
          served.name(),
          e.getMessage());
    }
  }

  private static byte[] loadDashboard() {
    try (InputStream in = CasqBroker.class.getResourceAsStream("dashboard.html")) {
      if (in == null) {
        throw new IllegalStateException("dashboard.html is missing from the broker jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read dashboard.html", e);
    }
  }

  private static String urlHost(String listenHost) {
    String h = listenHost;
    if (h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]")) {
      h = outwardAddress();
    }
    return h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
  }

  /** A non-loopback IPv4 address of this machine, for a broker that listens on all interfaces. */
  private static String outwardAddress() {
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!ni.isUp() || ni.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
      return InetAddress.getLocalHost().getHostAddress();
    } catch (IOException e) {
      return "127.0.0.1";
    }
  }

  private final class HandlerContext implements ApiHandler.Context {
    @Override
    public Map<String, ServedQueue> queues() {
      return queues;
    }

    @Override
    public int maxQueuedCommands() {
      return settings.maxQueuedCommands;
    }

    @Override
    public int maxClaimWaiters() {
      return settings.maxClaimWaiters;
    }

    @Override
    public BearerAuth auth() {
      return auth;
    }

    @Override
    public WireReader reader() {
      return reader;
    }

    @Override
    public BrokerMetrics metrics() {
      return metrics;
    }

    @Override
    public Executor executor() {
      return threads;
    }

    @Override
    public int maxRequestBytes() {
      return settings.maxRequestBytes;
    }

    @Override
    public boolean starting() {
      return starting;
    }

    @Override
    public boolean stopping() {
      return stopping;
    }

    @Override
    public String brokerId() {
      return settings.brokerId;
    }

    @Override
    public String address() {
      return address;
    }

    @Override
    public byte[] dashboard() {
      return dashboard;
    }

    @Override
    public Clock clock() {
      return settings.queueOptions.engineOptions().clock();
    }

    @Override
    public Duration dashboardSampleInterval() {
      return settings.dashboardSampleInterval;
    }

    @Override
    public void fenced(ServedQueue queue, FencedException e) {
      CasqBroker.this.fenced(queue, e);
    }

    @Override
    public Forwarder forwarder() {
      return forwarder;
    }

    @Override
    public boolean holdsRequestsUntilServing() {
      return settings.handover && starting && !stopping;
    }

    @Override
    public Map<String, BrokerRecord> handOver(
        List<String> names, String successorId, String successorAddress) {
      if (stopping || starting) {
        throw new ApiException(
            ErrorCode.HANDOVER_REFUSED,
            "this broker is " + (stopping ? "stopping" : "starting") + ": nothing to hand over");
      }
      return CasqBroker.this.handOver(names, successorId, successorAddress);
    }
  }

  /** The validated configuration. */
  private record Settings(
      List<QueueSpec> queues,
      Map<String, String> storeProperties,
      String listenHost,
      int port,
      String advertisedAddress,
      String token,
      String brokerId,
      ElectionOptions election,
      QueueOptions queueOptions,
      int maxRequestBytes,
      int maxJsonDepth,
      boolean standby,
      Duration standbyPollInterval,
      Duration probeTimeout,
      BrokerProbe probe,
      boolean resignOnClose,
      int maxThreads,
      int maxQueuedCommands,
      int maxClaimWaiters,
      int maxConnections,
      Duration shutdownTimeout,
      boolean handover,
      Duration dashboardSampleInterval,
      Duration standbyWarmup,
      boolean quiet) {}

  /**
   * Builder of a {@link CasqBroker}. Every setting is validated by {@link #build()}; the keys of
   * {@link #properties(Map)} are documented in {@code docs/broker.md}.
   */
  public static final class Builder {
    private final List<String[]> queueArgs = new ArrayList<>();
    private final List<Map<String, String>> queueProps = new ArrayList<>();
    private final Map<String, String> storeProperties = new HashMap<>();
    private String listenHost = DEFAULT_LISTEN_HOST;
    private int port = DEFAULT_PORT;
    private String advertisedAddress;
    private String token;
    private String brokerId;
    private Duration heartbeatInterval = ElectionOptions.DEFAULT_HEARTBEAT_INTERVAL;
    private Duration staleAfter = ElectionOptions.DEFAULT_STALE_AFTER;
    private QueueOptions queueOptions;
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private int maxJsonDepth = DEFAULT_MAX_JSON_DEPTH;
    private boolean standby;
    private Duration standbyPollInterval = Duration.ofSeconds(1);
    private Duration probeTimeout = Duration.ofSeconds(1);
    private BrokerProbe probe;
    private boolean resignOnClose = true;
    private int maxThreads = 200;
    private int maxQueuedCommands = DEFAULT_MAX_QUEUED_COMMANDS;
    private int maxClaimWaiters = DEFAULT_MAX_CLAIM_WAITERS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private boolean handover;
    private Duration dashboardSampleInterval = DEFAULT_DASHBOARD_SAMPLE_INTERVAL;
    private Duration standbyWarmup = Duration.ZERO;
    private boolean quiet;

    private Builder() {}

    /**
     * How often the dashboard's charts take a sample of each queue (they keep the last 15 minutes,
     * at most 1,000 samples). Default 5s; 100ms to 1 minute.
     */
    public Builder dashboardSampleInterval(Duration d) {
      this.dashboardSampleInterval = d;
      return this;
    }

    /**
     * How long {@link CasqBroker#close()} may take to drain, resign every queue and stop. Default
     * 10s.
     */
    public Builder shutdownTimeout(Duration d) {
      this.shutdownTimeout = d;
      return this;
    }

    /**
     * Planned hand-over: when a live broker holds a queue, ask it ({@code POST /admin/handover},
     * with the token) to resign the queue for this broker at a clean point, then claim it at once.
     * Default false.
     */
    public Builder handover(boolean on) {
      this.handover = on;
      return this;
    }

    /** Serves the queue at {@code storeUri} under its default name (file name without .json). */
    public Builder queue(String storeUri) {
      return queue(null, storeUri, Map.of());
    }

    /** Serves the queue at {@code storeUri} as {@code name}. */
    public Builder queue(String name, String storeUri) {
      return queue(name, storeUri, Map.of());
    }

    /** Serves the queue at {@code storeUri} as {@code name}, with store properties of its own. */
    public Builder queue(String name, String storeUri, Map<String, String> properties) {
      queueArgs.add(new String[] {name, storeUri});
      queueProps.add(properties == null ? Map.of() : Map.copyOf(properties));
      return this;
    }

    /** Store properties for every queue (e.g. {@code s3.endpoint}, {@code file.fsync}). */
    public Builder storeProperties(Map<String, String> properties) {
      storeProperties.putAll(properties);
      return this;
    }

    /** Interface and port to listen on; port 0 picks a free one. Default 127.0.0.1:8420. */
    public Builder listen(String host, int port) {
      this.listenHost = host;
      this.port = port;
      return this;
    }

    /** The base URL written into the queue objects for clients; default http://host:port. */
    public Builder advertisedAddress(String url) {
      this.advertisedAddress = url;
      return this;
    }

    /** Bearer token every /v1 request must carry; null (default) for none. Never logged. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** Unique id of this broker process; default {@code broker-} + 16 random hex digits. */
    public Builder brokerId(String id) {
      this.brokerId = id;
      return this;
    }

    /** How often the broker record is refreshed. Default 2s. */
    public Builder heartbeatInterval(Duration d) {
      this.heartbeatInterval = d;
      return this;
    }

    /** Heartbeat age after which another broker may take over. Default 10s. */
    public Builder staleAfter(Duration d) {
      this.staleAfter = d;
      return this;
    }

    /**
     * Options of every queue (leases, retries, limits, clock). Default {@link
     * QueueOptions#defaults()}.
     */
    public Builder queueOptions(QueueOptions o) {
      this.queueOptions = o;
      return this;
    }

    /** Largest request body in bytes. Default 1 MiB. */
    public Builder maxRequestBytes(int n) {
      this.maxRequestBytes = n;
      return this;
    }

    /** Deepest JSON nesting accepted in a request body. Default 64. */
    public Builder maxJsonDepth(int n) {
      this.maxJsonDepth = n;
      return this;
    }

    /** Wait for a queue's broker to go away instead of failing when it is alive. Default false. */
    public Builder standby(boolean on) {
      this.standby = on;
      return this;
    }

    /**
     * How long a standby may warm its hot path while it waits (a private broker and queue in this
     * JVM, never a served queue; ended at once by the takeover): requests right after a takeover
     * then run compiled code instead of the interpreter. Zero (the default here; {@code casq
     * broker} turns it on) for none. At most 10 minutes.
     */
    public Builder standbyWarmup(Duration d) {
      this.standbyWarmup = d;
      return this;
    }

    /** Lifecycle lines at debug instead of info (the standby's private warm-up broker). */
    Builder quiet() {
      this.quiet = true;
      return this;
    }

    /** How often a standby looks at the queue object. Default 1s. */
    public Builder standbyPollInterval(Duration d) {
      this.standbyPollInterval = d;
      return this;
    }

    /** How long to wait for a recorded broker's /health before calling it gone. Default 1s. */
    public Builder probeTimeout(Duration d) {
      this.probeTimeout = d;
      return this;
    }

    /** Replaces the /health probe (tests). */
    public Builder probe(BrokerProbe p) {
      this.probe = p;
      return this;
    }

    /**
     * Whether close() marks the records stale so the next broker takes over at once. Default true.
     */
    public Builder resignOnClose(boolean on) {
      this.resignOnClose = on;
      return this;
    }

    /** Most threads answering requests. Default 200. */
    public Builder maxThreads(int n) {
      this.maxThreads = n;
      return this;
    }

    /**
     * Commands that may wait in one queue's engine before new requests to it get 503 {@code
     * overloaded} with {@code Retry-After}. Default 50,000 (1 to 10,000,000).
     */
    public Builder maxQueuedCommands(int n) {
      this.maxQueuedCommands = n;
      return this;
    }

    /**
     * Long-poll claims that may wait on one queue before another claim with {@code wait} gets 503
     * {@code overloaded}. Default 10,000 (1 to 1,000,000).
     */
    public Builder maxClaimWaiters(int n) {
      this.maxClaimWaiters = n;
      return this;
    }

    /**
     * Open connections past which the broker stops accepting new ones. Default 10,000 (1 to
     * 1,000,000).
     */
    public Builder maxConnections(int n) {
      this.maxConnections = n;
      return this;
    }

    /**
     * Applies configuration keys ({@code broker.listen}, {@code broker.token}, ...; see {@code
     * docs/broker.md}); a key missing from {@code properties} is read from the environment ({@code
     * broker.token} -> {@code CASQ_BROKER_TOKEN}).
     */
    public Builder properties(Map<String, String> properties) {
      StoreProperties p = StoreProperties.of(properties);
      try {
        p.get("broker.listen").ifPresent(this::listen);
        p.get("broker.advertised-address").ifPresent(this::advertisedAddress);
        p.get("broker.token").ifPresent(this::token);
        p.get("broker.id").ifPresent(this::brokerId);
        heartbeatInterval = p.getDuration("broker.heartbeat-interval", heartbeatInterval);
        staleAfter = p.getDuration("broker.stale-after", staleAfter);
        maxRequestBytes = p.getInt("broker.max-request-bytes", maxRequestBytes, 1024, 64 << 20);
        maxJsonDepth = p.getInt("broker.max-json-depth", maxJsonDepth, 8, 1000);
        standby = p.getBoolean("broker.standby", standby);
        standbyPollInterval = p.getDuration("broker.standby-poll-interval", standbyPollInterval);
        probeTimeout = p.getDuration("broker.probe-timeout", probeTimeout);
        resignOnClose = p.getBoolean("broker.resign-on-close", resignOnClose);
        maxThreads = p.getInt("broker.max-threads", maxThreads, 8, 10_000);
        maxQueuedCommands =
            p.getInt("broker.max-queued-commands", maxQueuedCommands, 1, 10_000_000);
        maxClaimWaiters = p.getInt("broker.max-claim-waiters", maxClaimWaiters, 1, 1_000_000);
        maxConnections = p.getInt("broker.max-connections", maxConnections, 1, 1_000_000);
        shutdownTimeout = p.getDuration("broker.shutdown-timeout", shutdownTimeout);
        handover = p.getBoolean("broker.handover", handover);
        dashboardSampleInterval =
            p.getDuration("broker.dashboard-sample-interval", dashboardSampleInterval);
        standbyWarmup = p.getDuration("broker.standby-warmup", standbyWarmup);
      } catch (StoreConfigurationException e) {
        throw new BrokerConfigurationException(e.getMessage(), e);
      }
      return this;
    }

    /** {@code host:port}, {@code :port} or {@code [v6]:port}. */
    public Builder listen(String hostPort) {
      String s = hostPort.trim();
      int colon = s.lastIndexOf(':');
      if (colon < 0 || (s.contains("]") && colon < s.indexOf(']'))) {
        throw new BrokerConfigurationException(
            "listen address '" + hostPort + "' must be HOST:PORT, e.g. 0.0.0.0:8420");
      }
      String host = s.substring(0, colon).replace("[", "").replace("]", "");
      try {
        return listen(host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(s.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new BrokerConfigurationException(
            "listen address '" + hostPort + "' has no numeric port");
      }
    }

    /**
     * Validates every setting.
     *
     * @throws BrokerConfigurationException naming the first bad setting
     */
    public CasqBroker build() {
      if (queueArgs.isEmpty()) {
        throw new BrokerConfigurationException(
            "no queue configured: give at least one store URI, e.g. file:///tmp/casq/jobs.json");
      }
      List<QueueSpec> specs = new ArrayList<>();
      Map<String, String> seen = new HashMap<>();
      for (int i = 0; i < queueArgs.size(); i++) {
        String name = queueArgs.get(i)[0];
        String uri = queueArgs.get(i)[1];
        if (uri == null || uri.isBlank()) {
          throw new BrokerConfigurationException(
              "queue " + (name == null ? "#" + (i + 1) : name) + " has no store URI");
        }
        try {
          if (Stores.parse(uri).getScheme() == null) {
            throw new BrokerConfigurationException(
                "store URI of queue "
                    + (name == null ? "#" + (i + 1) : name)
                    + " has no scheme; give one such as file:///var/casq/jobs.json");
          }
          name = name == null ? QueueNames.defaultName(uri) : QueueNames.validate(name);
        } catch (StoreConfigurationException | IllegalArgumentException e) {
          throw new BrokerConfigurationException(e.getMessage(), e);
        }
        String other = seen.putIfAbsent(name, uri);
        if (other != null) {
          throw new BrokerConfigurationException(
              "two queues are named '"
                  + name
                  + "' ("
                  + QueueSpec.redact(other)
                  + " and "
                  + QueueSpec.redact(uri)
                  + "); name them explicitly");
        }
        specs.add(new QueueSpec(name, uri, queueProps.get(i)));
      }
      if (listenHost == null || listenHost.isBlank()) {
        throw new BrokerConfigurationException("listen host is empty (use 0.0.0.0 for all)");
      }
      if (port < 0 || port > 65535) {
        throw new BrokerConfigurationException("port must be from 0 to 65535, got " + port);
      }
      if (advertisedAddress != null) {
        advertisedAddress = validateUrl(advertisedAddress.trim());
      }
      if (token != null
          && (token.isBlank()
              || !token.equals(token.strip())
              || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
        throw new BrokerConfigurationException(
            "the token must be non-empty printable ASCII without spaces");
      }
      String id =
          brokerId == null
              ? "broker-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
              : brokerId.trim();
      if (id.isEmpty() || id.length() > 128) {
        throw new BrokerConfigurationException("broker id must have 1 to 128 characters");
      }
      ElectionOptions election;
      try {
        election =
            new ElectionOptions(
                Objects.requireNonNull(heartbeatInterval, "heartbeat interval"),
                Objects.requireNonNull(staleAfter, "stale-after"));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new BrokerConfigurationException("invalid election timing: " + e.getMessage(), e);
      }
      if (maxRequestBytes < 1024 || maxRequestBytes > (64 << 20)) {
        throw new BrokerConfigurationException(
            "max request bytes must be from 1024 to 67108864, got " + maxRequestBytes);
      }
      if (maxJsonDepth < 8 || maxJsonDepth > 1000) {
        throw new BrokerConfigurationException(
            "max JSON depth must be from 8 to 1000, got " + maxJsonDepth);
      }
      requirePositive(standbyPollInterval, "standby poll interval");
      requirePositive(probeTimeout, "probe timeout");
      requirePositive(shutdownTimeout, "shutdown timeout");
      if (dashboardSampleInterval == null
          || dashboardSampleInterval.compareTo(Duration.ofMillis(100)) < 0
          || dashboardSampleInterval.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new BrokerConfigurationException(
            "dashboard sample interval must be from 100ms to 1m, got " + dashboardSampleInterval);
      }
      if (standbyWarmup == null
          || standbyWarmup.isNegative()
          || standbyWarmup.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new BrokerConfigurationException(
            "standby warm-up must be from 0 to 10 minutes, got " + standbyWarmup);
      }
      if (handover && token == null) {
        throw new BrokerConfigurationException(
            "a hand-over needs the token of the live broker: give a token with --handover");
      }
      if (maxThreads < 8) {
        throw new BrokerConfigurationException("max threads must be at least 8, got " + maxThreads);
      }
      requireRange(maxQueuedCommands, 1, 10_000_000, "max queued commands");
      requireRange(maxClaimWaiters, 1, 1_000_000, "max claim waiters");
      requireRange(maxConnections, 1, 1_000_000, "max connections");
      return new CasqBroker(
          new Settings(
              List.copyOf(specs),
              Map.copyOf(storeProperties),
              listenHost.trim(),
              port,
              advertisedAddress,
              token,
              id,
              election,
              queueOptions == null ? QueueOptions.defaults() : queueOptions,
              maxRequestBytes,
              maxJsonDepth,
              standby,
              standbyPollInterval,
              probeTimeout,
              probe,
              resignOnClose,
              maxThreads,
              maxQueuedCommands,
              maxClaimWaiters,
              maxConnections,
              shutdownTimeout,
              handover,
              dashboardSampleInterval,
              standbyWarmup,
              quiet));
    }

    private static void requireRange(int n, int min, int max, String what) {
      if (n < min || n > max) {
        throw new BrokerConfigurationException(
            what + " must be from " + min + " to " + max + ", got " + n);
      }
    }

    private static void requirePositive(Duration d, String what) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new BrokerConfigurationException(what + " must be positive, got " + d);
      }
    }

    private static String validateUrl(String url) {
      try {
        URI u = new URI(url);
        if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            || u.getHost() == null
            || u.getRawQuery() != null
            || u.getRawFragment() != null) {
          throw new URISyntaxException(url, "expected http(s)://host[:port][/path]");
        }
        return url.replaceAll("/+$", "");
      } catch (URISyntaxException e) {
        throw new BrokerConfigurationException(
            "advertised address '"
                + url
                + "' is not a base URL such as http://10.0.0.5:8420: "
                + e.getReason());
      }
    }
  }
}
