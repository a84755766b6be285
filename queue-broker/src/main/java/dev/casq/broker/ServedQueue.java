package dev.casq.broker;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.EngineHealth;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.JobQueue;
import dev.casq.election.BrokerDiscovery;
import dev.casq.election.BrokerTenure;
import dev.casq.storage.StoreLocation;
import dev.casq.wire.ErrorCode;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue of a broker and where it is in its life: starting (waiting to claim), serving, handed
 * over (resigned at a clean point for a named or unnamed successor: requests get 421 naming it, or
 * 503 with {@code Retry-After: 0}), fenced (a newer broker took it over: requests get 421 naming
 * that broker) or closed.
 */
final class ServedQueue {
  private static final Logger log = LoggerFactory.getLogger(ServedQueue.class);
  private static final long REDISCOVER_NANOS = 1_000_000_000L;

  enum Status {
    STARTING,
    SERVING,
    HANDED_OVER,
    FENCED,
    CLOSED;

    String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  final QueueSpec spec;
  private volatile Status status = Status.STARTING;
  private volatile StoreLocation location;
  private volatile JobQueue queue;
  private volatile BrokerTenure tenure;
  private volatile BrokerRecord currentBroker;
  private volatile Instant statusSince = Instant.now();
  private volatile QueueSnapshot snapshot = QueueSnapshot.NONE;
  private final AtomicBoolean rediscovering = new AtomicBoolean();

  /** Completes when the queue serves, fails when it is closed before: requests may wait on it. */
  private final CompletableFuture<Void> served = new CompletableFuture<>();

  /** The epoch this broker held the queue at (0 before the claim). */
  private volatile long heldEpoch;

  private volatile long lastRediscovery;

  /** The dashboard's charts: samples of what the engine published. */
  final QueueSeries series;

  /** The brokers of this queue as this broker saw them, for the dashboard. */
  final EpochHistory epochs = new EpochHistory();

  /** A queue whose charts are sampled every {@code sampleInterval}. */
  ServedQueue(QueueSpec spec, java.time.Duration sampleInterval) {
    this.spec = spec;
    this.series = new QueueSeries(sampleInterval);
  }

  String name() {
    return spec.name();
  }

  Status status() {
    return status;
  }

  void opened(StoreLocation loc) {
    this.location = loc;
  }

  StoreLocation location() {
    return location;
  }

  void serving(JobQueue q, BrokerTenure t) {
    this.queue = q;
    this.tenure = t;
    this.currentBroker = t.record();
    this.heldEpoch = t.record().epoch();
    this.status = Status.SERVING;
    this.statusSince = Instant.now();
    epochs.add(EpochHistory.Event.CLAIMED, t.record(), statusSince);
    served.complete(null);
  }

  /** Completes once the queue serves; fails when it is closed before it ever served. */
  CompletableFuture<Void> whenServing() {
    return served;
  }

  JobQueue queue() {
    return queue;
  }

  BrokerTenure tenure() {
    return tenure;
  }

  /** Our record while serving, the newer broker's once fenced (null if unknown). */
  BrokerRecord broker() {
    BrokerTenure t = tenure;
    return status == Status.SERVING && t != null ? t.record() : currentBroker;
  }

  long revision() {
    return snapshot.revision();
  }

  /** Counts and counters after the engine's last batch. */
  QueueSnapshot snapshot() {
    return snapshot;
  }

  /** Set by the engine's commit listener. */
  void snapshot(QueueSnapshot s) {
    this.snapshot = s;
  }

  /**
   * The state of the queue's engine and why it does not serve: the engine's own while this broker
   * holds the queue; starting before the claim; fenced once taken over; stopped once closed.
   */
  EngineHealth engineHealth() {
    Status s = status;
    JobQueue q = queue;
    EngineHealth engine = q == null ? null : q.engine().health();
    return switch (s) {
      case SERVING -> engine;
      case STARTING ->
          new EngineHealth(
              EngineHealth.State.STARTING, "this broker does not hold the queue yet", statusSince);
      case HANDED_OVER ->
          new EngineHealth(
              EngineHealth.State.STOPPED,
              "handed over"
                  + (currentBroker == null
                      ? ""
                      : " to " + currentBroker.id() + " at " + currentBroker.address()),
              statusSince);
      case FENCED ->
          engine != null && engine.state() == EngineHealth.State.FENCED
              ? engine
              : new EngineHealth(
                  EngineHealth.State.FENCED, "a newer broker took the queue over", statusSince);
      case CLOSED ->
          engine != null && engine.state() == EngineHealth.State.STOPPED
              ? engine
              : new EngineHealth(
                  EngineHealth.State.STOPPED, "the broker is shutting down", statusSince);
    };
  }

  /** True when this broker holds the queue and its engine takes requests. */
  boolean ready() {
    return status == Status.SERVING && engineHealth().serving();
  }

  /**
   * The queue to run a request on.
   *
   * @throws ApiException 503 while starting, 503 with {@code Retry-After: 0} once closed or handed
   *     over to nobody in particular, 421 once handed over to a named broker or fenced
   */
  JobQueue requireServing(Executor executor) {
    if (status == Status.SERVING) {
      return queue;
    }
    throw notServing(executor);
  }

  /**
   * The answer to a request this queue did not apply because it does not serve (or stopped serving
   * before the request reached its engine): the one rule for late requests.
   */
  ApiException notServing(Executor executor) {
    Status s = status;
    if (s == Status.FENCED || (s == Status.HANDED_OVER && currentBroker != null)) {
      refreshCurrentBroker(executor);
      BrokerRecord b = currentBroker;
      return new ApiException(
          ErrorCode.NOT_BROKER,
          "this broker no longer serves queue '"
              + name()
              + "'"
              + (b == null
                  ? "; read the queue object to find the current broker"
                  : "; it is served by "
                      + b.id()
                      + " at "
                      + b.address()
                      + " (epoch "
                      + b.epoch()
                      + ")"),
          b);
    }
    if (s == Status.STARTING) {
      return ApiException.unavailable(
          "queue '" + name() + "' is starting: this broker does not" + " hold it yet");
    }
    if (s == Status.HANDED_OVER) {
      return ApiException.draining(
          "queue '"
              + name()
              + "' was handed over: this broker resigned"
              + " it; retry, the next broker takes it over at once");
    }
    return ApiException.draining(
        "queue '"
            + name()
            + "' is closed: the broker is shutting down"
            + " and resigns it; retry, the next broker takes it over at once");
  }

  /**
   * Hands the queue over: stops taking requests (late ones get 421 naming {@code successor}, or 503
   * with {@code Retry-After: 0} when it is null), lets the write in flight and the commands already
   * in the engine land and be answered, resigns at that clean point and closes the engine.
   *
   * @param successor the broker expected to claim next (its epoch one above ours), or null
   * @return our record as resigned
   * @throws ApiException 409 when this broker does not serve the queue
   */
  BrokerRecord handOver(BrokerRecord successor) {
    synchronized (this) {
      if (status != Status.SERVING) {
        throw new ApiException(
            ErrorCode.HANDOVER_REFUSED,
            "queue '"
                + name()
                + "' is "
                + status.wireName()
                + " here, not serving: nothing to"
                + " hand over");
      }
      status = Status.HANDED_OVER;
      statusSince = Instant.now();
      currentBroker = successor;
      epochs.add(EpochHistory.Event.HANDED_OVER, successor, statusSince);
    }
    BrokerTenure t = tenure;
    t.close(); // resigns after everything already submitted
    closeQuietly(queue);
    if (t.isFenced()) {
      throw new ApiException(
          ErrorCode.HANDOVER_REFUSED,
          "queue '" + name() + "' was taken over by another broker during the hand-over");
    }
    log.info(
        "queue {} handed over{} at epoch {}",
        name(),
        successor == null ? "" : " to " + successor.id() + " at " + successor.address(),
        t.record().epoch());
    return t.record();
  }

  /** A newer broker took the queue: stop serving it for good. Returns true the first time. */
  boolean fenced(FencedException e, Executor executor) {
    synchronized (this) {
      if (status == Status.FENCED || status == Status.CLOSED || status == Status.HANDED_OVER) {
        return false;
      }
      status = Status.FENCED;
      statusSince = Instant.now();
      currentBroker = e.currentBroker().orElse(null);
      epochs.add(EpochHistory.Event.FENCED, currentBroker, statusSince);
    }
    BrokerTenure t = tenure;
    if (t != null) {
      t.reportFenced(e);
    }
    JobQueue q = queue;
    // closing joins the commit thread, and this may run on it: close elsewhere
    executor.execute(() -> closeQuietly(q));
    return true;
  }

  /**
   * Stops serving: late requests get 503 with {@code Retry-After: 0}; the commands already in the
   * engine land and are answered, then the queue is resigned (unless fenced or handed over) and
   * closed.
   */
  void close() {
    Status before;
    synchronized (this) {
      before = status;
      if (before != Status.HANDED_OVER) {
        status = Status.CLOSED;
        statusSince = Instant.now();
      }
    }
    served.completeExceptionally(
        new dev.casq.api.QueueClosedException(
            "queue '" + name() + "' was closed before it served"));
    BrokerTenure t = tenure;
    if (t != null) {
      t.close();
    }
    if (before != Status.FENCED && before != Status.HANDED_OVER) {
      closeQuietly(queue);
    }
    StoreLocation loc = location;
    if (loc != null) {
      try {
        loc.close();
      } catch (RuntimeException e) {
        log.debug("closing {} failed: {}", loc, e.toString());
      }
    }
  }

  private void refreshCurrentBroker(Executor executor) {
    long now = System.nanoTime();
    StoreLocation loc = location;
    if (loc == null
        || now - lastRediscovery < REDISCOVER_NANOS
        || !rediscovering.compareAndSet(false, true)) {
      return;
    }
    lastRediscovery = now;
    executor.execute(
        () -> {
          try {
            // only a newer broker: until the successor's claim lands the object names us
            BrokerDiscovery.on(loc)
                .current()
                .filter(b -> b.epoch() > heldEpoch)
                .ifPresent(b -> currentBroker = b);
          } catch (RuntimeException e) {
            log.debug("cannot re-read the broker of {}: {}", loc, e.toString());
          } finally {
            rediscovering.set(false);
          }
        });
  }

  private static void closeQuietly(JobQueue q) {
    if (q == null) {
      return;
    }
    try {
      q.close();
    } catch (RuntimeException e) {
      log.debug("closing a queue failed: {}", e.toString());
    }
  }
}
