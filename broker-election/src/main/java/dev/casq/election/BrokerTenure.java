package dev.casq.election;

import dev.casq.api.QueueClosedException;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.CommitGuard;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.JobQueue;
import dev.casq.storage.StorageException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker's hold on one queue: it claims the queue through the queue's own commit engine, fences
 * the engine with an {@link EpochGuard}, heartbeats the broker record every heartbeat interval
 * (even when idle), and reports when a newer broker has taken over.
 *
 * <pre>{@code
 * BrokerTenure tenure = BrokerTenure.builder(queue, brokerId, "http://10.0.0.5:8080")
 *     .onFenced(e -> stopServing(e.currentBroker()))
 *     .acquire();          // BrokerActiveException when a live broker holds the queue
 * ...
 * tenure.close();         // stop heartbeats and resign, then close the queue
 * }</pre>
 *
 * <p>Until the claim succeeds the engine runs with a candidate guard that refuses to write over the
 * state of a live broker; after it, with the epoch guard, so a replaced broker stops at its first
 * lost compare-and-swap and never writes again.
 */
public final class BrokerTenure implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BrokerTenure.class);

  /** Once a claim fails, nothing more may be written through that engine. */
  private static final CommitGuard REFUSE_ALL =
      state -> {
        throw new FencedException(state.broker());
      };

  private final JobQueue queue;
  private final ElectionOptions options;
  private final Consumer<FencedException> onFenced;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final boolean resignOnClose;
  private final Duration operationTimeout;
  private final AtomicBoolean fenced = new AtomicBoolean();
  private final AtomicBoolean heartbeatInFlight = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile BrokerRecord record;
  private volatile FencedException fencedBy;
  private volatile ScheduledFuture<?> heartbeats;
  private volatile int failedHeartbeats;

  private BrokerTenure(Builder b, BrokerRecord claimed) {
    this.queue = b.queue;
    this.options = b.options;
    this.onFenced = b.onFenced;
    this.scheduler = b.scheduler != null ? b.scheduler : newScheduler(queue.location().key());
    this.ownsScheduler = b.scheduler == null;
    this.resignOnClose = b.resignOnClose;
    this.operationTimeout = b.claimTimeout;
    this.record = claimed;
  }

  /** Starts building the tenure of broker {@code brokerId} reachable at {@code address}. */
  public static Builder builder(JobQueue queue, String brokerId, String address) {
    return new Builder(queue, brokerId, address);
  }

  /** The broker record as last written (its heartbeat moves on with every beat). */
  public BrokerRecord record() {
    return record;
  }

  /** The queue this tenure holds. */
  public JobQueue queue() {
    return queue;
  }

  public ElectionOptions options() {
    return options;
  }

  /** True once a newer broker took the queue over; nothing is written from here any more. */
  public boolean isFenced() {
    return fenced.get();
  }

  /** The fencing that ended this tenure, or null while it holds. */
  public FencedException fencedBy() {
    return fencedBy;
  }

  /**
   * Writes a heartbeat now (the schedule does so every heartbeat interval).
   *
   * @return the refreshed record; fails with {@link FencedException} when the queue was taken over
   */
  public CompletableFuture<BrokerRecord> heartbeat() {
    FencedException f = fencedBy;
    if (f != null) {
      return CompletableFuture.failedFuture(f);
    }
    return queue
        .submit(new BrokerHeartbeatCommand(record))
        .whenComplete(
            (r, error) -> {
              if (error == null) {
                record = r;
                if (failedHeartbeats > 0) {
                  log.info("heartbeat of {} for {} succeeds again", r.id(), queue.location());
                }
                failedHeartbeats = 0;
                return;
              }
              Throwable cause = unwrap(error);
              if (cause instanceof FencedException fe) {
                reportFenced(fe);
              } else if (!closed.get()) {
                int n = ++failedHeartbeats;
                if (n == 1 || n % 10 == 0) {
                  log.warn(
                      "heartbeat of {} for {} failed ({} in a row): {}",
                      record.id(),
                      queue.location(),
                      n,
                      cause.toString());
                }
              }
            });
  }

  /**
   * Records that the queue was taken over (the server calls this when a request fails with {@link
   * FencedException}); stops heartbeats and tells the fencing listener, once.
   */
  public void reportFenced(FencedException e) {
    Objects.requireNonNull(e, "e");
    if (!fenced.compareAndSet(false, true)) {
      return;
    }
    fencedBy = e;
    ScheduledFuture<?> h = heartbeats;
    if (h != null) {
      h.cancel(false);
    }
    log.warn(
        "broker {} (epoch {}) lost {}: {}",
        record.id(),
        record.epoch(),
        queue.location(),
        e.getMessage());
    try {
      onFenced.accept(e);
    } catch (RuntimeException listenerError) {
      log.error("fencing listener failed", listenerError);
    }
  }

  /**
   * Stops heartbeats and, unless fenced or configured otherwise, resigns: the record's heartbeat is
   * set to the epoch so the next broker can claim at once. Does not close the queue.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> h = heartbeats;
    if (h != null) {
      h.cancel(false);
    }
    if (resignOnClose && !fenced.get()) {
      try {
        BrokerRecord resigned =
            queue
                .submit(new ResignBrokerCommand(record))
                .get(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
        record = resigned;
        log.info(
            "broker {} resigned from {} (epoch {})",
            resigned.id(),
            queue.location(),
            resigned.epoch());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = unwrap(e);
        if (cause instanceof FencedException fe) {
          reportFenced(fe);
        } else if (!(cause instanceof QueueClosedException)) {
          log.warn("could not resign from {}: {}", queue.location(), cause.toString());
        }
      }
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }

  private void start() {
    heartbeats =
        scheduler.scheduleWithFixedDelay(
            this::scheduledBeat,
            options.heartbeatInterval().toMillis(),
            options.heartbeatInterval().toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void scheduledBeat() {
    if (closed.get() || fenced.get()) {
      return;
    }
    if (queue.engine().failure().orElse(null) instanceof FencedException fe) {
      reportFenced(fe);
      return;
    }
    if (!heartbeatInFlight.compareAndSet(false, true)) {
      return; // the previous one is still being written
    }
    try {
      heartbeat().whenComplete((r, e) -> heartbeatInFlight.set(false));
    } catch (RuntimeException e) {
      heartbeatInFlight.set(false);
      log.warn("could not schedule a heartbeat for {}: {}", queue.location(), e.toString());
    }
  }

  private static ScheduledExecutorService newScheduler(String key) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "casq-broker-heartbeat-" + key);
          t.setDaemon(true);
          return t;
        });
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Builder of a {@link BrokerTenure}; {@link #acquire()} claims the queue. */
  public static final class Builder {
    private final JobQueue queue;
    private final String brokerId;
    private final String address;
    private ElectionOptions options = ElectionOptions.defaults();
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private Consumer<FencedException> onFenced = e -> {};
    private boolean resignOnClose = true;
    private Duration claimTimeout = Duration.ofSeconds(30);

    private Builder(JobQueue queue, String brokerId, String address) {
      this.queue = Objects.requireNonNull(queue, "queue");
      this.brokerId = ClaimBrokerCommand.requireText(brokerId, "brokerId");
      this.address = ClaimBrokerCommand.requireText(address, "address");
    }

    /** Heartbeat interval and staleness. Default: 2s and 10s. */
    public Builder options(ElectionOptions o) {
      this.options = Objects.requireNonNull(o, "options");
      return this;
    }

    /** The clock the queue's engine uses (to judge staleness before the claim). */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** Runs heartbeats on this scheduler (shared by the queues of one broker); default: own. */
    public Builder scheduler(ScheduledExecutorService s) {
      this.scheduler = Objects.requireNonNull(s, "scheduler");
      return this;
    }

    /** Called once, on some thread, when a newer broker took the queue over. Must not block. */
    public Builder onFenced(Consumer<FencedException> listener) {
      this.onFenced = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Whether {@link BrokerTenure#close()} marks the record stale for a quick takeover. Default
     * true.
     */
    public Builder resignOnClose(boolean resign) {
      this.resignOnClose = resign;
      return this;
    }

    /** How long the claim (and the resignation) may take. Default 30s. */
    public Builder claimTimeout(Duration d) {
      Objects.requireNonNull(d, "claimTimeout");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("claim timeout must be positive");
      }
      this.claimTimeout = d;
      return this;
    }

    /**
     * Claims the queue and starts heartbeating.
     *
     * @throws BrokerActiveException when a live broker holds the queue (nothing was written)
     * @throws StorageException when the store failed or the claim timed out
     * @throws dev.casq.api.QueueException when the queue cannot be written (e.g. corrupt)
     */
    public BrokerTenure acquire() {
      queue.engine().guard(new CandidateGuard(brokerId, options.staleAfter(), clock));
      BrokerRecord claimed;
      try {
        claimed =
            queue
                .submit(new ClaimBrokerCommand(brokerId, address, options))
                .get(claimTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        queue.engine().guard(REFUSE_ALL);
        Thread.currentThread().interrupt();
        throw new QueueClosedException("interrupted while claiming " + queue.location());
      } catch (TimeoutException e) {
        queue.engine().guard(REFUSE_ALL);
        throw new StorageException(
            "claiming " + queue.location() + " did not finish within " + claimTimeout);
      } catch (ExecutionException e) {
        queue.engine().guard(REFUSE_ALL);
        Throwable cause = unwrap(e);
        if (cause instanceof FencedException fe && fe.currentBroker().isPresent()) {
          log.debug("claim of {} lost to {}", queue.location(), fe.currentBroker().get().id());
          throw new BrokerActiveException(fe.currentBroker().get());
        }
        if (cause instanceof BrokerActiveException bae) {
          log.debug("claim of {} refused: {}", queue.location(), bae.getMessage());
          throw new BrokerActiveException(bae.activeBroker());
        }
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw new StorageException("claiming " + queue.location() + " failed: " + cause, cause);
      }
      queue.engine().guard(new EpochGuard(claimed));
      log.info("broker {} serves {} at epoch {}", claimed.id(), queue.location(), claimed.epoch());
      BrokerTenure tenure = new BrokerTenure(this, claimed);
      tenure.start();
      return tenure;
    }
  }
}
