package dev.casq.broker;

import dev.casq.core.BrokerRecord;
import dev.casq.core.EngineHealth;
import dev.casq.core.FencedException;
import dev.casq.core.JobQueue;
import dev.casq.election.BrokerDiscovery;
import dev.casq.election.BrokerTenure;
import dev.casq.storage.StoreLocation;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue of a broker and where it is in its life: starting (waiting to claim), serving,
 * fenced (a newer broker took it over: requests get 421 naming that broker) or closed.
 */
final class ServedQueue {
  private static final Logger log = LoggerFactory.getLogger(ServedQueue.class);
  private static final long REDISCOVER_NANOS = 1_000_000_000L;

  enum Status {
    STARTING,
    SERVING,
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
  private volatile long lastRediscovery;

  ServedQueue(QueueSpec spec) {
    this.spec = spec;
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
    this.status = Status.SERVING;
    this.statusSince = Instant.now();
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
   * The state of the queue's engine and why it does not serve: the engine's own while this
   * broker holds the queue; starting before the claim; fenced once taken over; stopped once
   * closed.
   */
  EngineHealth engineHealth() {
    Status s = status;
    JobQueue q = queue;
    EngineHealth engine = q == null ? null : q.engine().health();
    return switch (s) {
      case SERVING -> engine;
      case STARTING -> new EngineHealth(EngineHealth.State.STARTING,
          "this broker does not hold the queue yet", statusSince);
      case FENCED -> engine != null && engine.state() == EngineHealth.State.FENCED ? engine
          : new EngineHealth(EngineHealth.State.FENCED, "a newer broker took the queue over",
              statusSince);
      case CLOSED -> engine != null && engine.state() == EngineHealth.State.STOPPED ? engine
          : new EngineHealth(EngineHealth.State.STOPPED, "the broker is shutting down",
              statusSince);
    };
  }

  /** True when this broker holds the queue and its engine takes requests. */
  boolean ready() {
    return status == Status.SERVING && engineHealth().serving();
  }

  /**
   * The queue to run a request on.
   *
   * @throws ApiException 503 while starting or closed, 421 once fenced
   */
  JobQueue requireServing(Executor executor) {
    Status s = status;
    if (s == Status.SERVING) {
      return queue;
    }
    if (s == Status.FENCED) {
      refreshCurrentBroker(executor);
      BrokerRecord b = currentBroker;
      throw new ApiException(421, ErrorCode.NOT_BROKER,
          "this broker no longer serves queue '" + name() + "'"
              + (b == null ? "; read the queue object to find the current broker"
                  : "; it is served by " + b.id() + " at " + b.address() + " (epoch "
                      + b.epoch() + ")"),
          b);
    }
    if (s == Status.STARTING) {
      throw ApiException.unavailable("queue '" + name() + "' is starting: this broker does not"
          + " hold it yet");
    }
    throw ApiException.unavailable("queue '" + name() + "' is closed: the broker is shutting down");
  }

  /** A newer broker took the queue: stop serving it for good. Returns true the first time. */
  boolean fenced(FencedException e, Executor executor) {
    synchronized (this) {
      if (status == Status.FENCED || status == Status.CLOSED) {
        return false;
      }
      status = Status.FENCED;
      statusSince = Instant.now();
      currentBroker = e.currentBroker().orElse(null);
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

  /** Stops serving: resigns (unless fenced) and closes the queue. */
  void close() {
    Status before;
    synchronized (this) {
      before = status;
      status = Status.CLOSED;
      statusSince = Instant.now();
    }
    BrokerTenure t = tenure;
    if (t != null) {
      t.close();
    }
    if (before != Status.FENCED) {
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
    if (loc == null || now - lastRediscovery < REDISCOVER_NANOS
        || !rediscovering.compareAndSet(false, true)) {
      return;
    }
    lastRediscovery = now;
    executor.execute(
        () -> {
          try {
            BrokerDiscovery.on(loc).current().ifPresent(b -> currentBroker = b);
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
