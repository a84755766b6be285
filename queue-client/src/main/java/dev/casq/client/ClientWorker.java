package dev.casq.client;

import dev.casq.core.ClaimRequest;
import dev.casq.core.JobNotFoundException;
import dev.casq.core.LeaseRejectedException;
import dev.casq.core.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a handler on the jobs of a broker queue with {@code concurrency} jobs at once. Each slot
 * long-polls for one job, extends its lease while the handler runs (every lease/3 unless told
 * otherwise), completes the job when the handler returns (without waiting: the slot's next claim
 * travels in the same commit as that completion) and fails it when the handler throws (the job is
 * retried with backoff while it has attempts left).
 *
 * <p>{@link #close()} shuts down gracefully: no new claims; running handlers get the grace period
 * to finish; after it they are interrupted and their jobs released (without counting the attempt).
 * Broker outages are ridden out by the client's retries and failover.
 */
public final class ClientWorker<T> implements AutoCloseable {
  /** The lease asked for when the options name none. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(ClientWorker.class);
  private static final Duration MAX_ERROR_PAUSE = Duration.ofSeconds(5);

  private final ClientQueue<T> queue;
  private final ClientJobHandler<T> handler;
  private final WorkerOptions options;
  private final Duration lease;
  private final Duration heartbeatEvery;
  private final Thread[] slots;
  private final ScheduledExecutorService heartbeats;
  private final Set<LeasedJob<T>> running = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<Void>> completing = ConcurrentHashMap.newKeySet();
  private final CountDownLatch stopped;
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong released = new AtomicLong();
  private volatile boolean stopping;
  private volatile boolean forced;

  ClientWorker(ClientQueue<T> queue, ClientJobHandler<T> handler, WorkerOptions options) {
    this.queue = queue;
    this.handler = handler;
    this.options = options;
    this.lease = options.lease() != null ? options.lease() : DEFAULT_LEASE;
    Duration hb = options.heartbeatInterval() != null ? options.heartbeatInterval()
        : lease.dividedBy(3);
    this.heartbeatEvery = hb.isZero() || hb.isNegative() ? Duration.ofMillis(1) : hb;
    this.slots = new Thread[options.concurrency()];
    this.stopped = new CountDownLatch(slots.length);
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "casq-client-heartbeat-" + options.workerId());
              t.setDaemon(true);
              return t;
            });
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Thread(this::loop, "casq-client-worker-" + options.workerId() + "-" + i);
      slots[i].setDaemon(true);
    }
    for (Thread t : slots) {
      t.start();
    }
  }

  /** Jobs the handler finished and the broker completed (acknowledged). */
  public long completed() {
    return completed.get();
  }

  /** Jobs whose handler threw (reported as failed attempts). */
  public long failed() {
    return failed.get();
  }

  /** Jobs whose lease was lost while they ran (expired, cancelled, or the broker refused it). */
  public long lost() {
    return lost.get();
  }

  /** Jobs given back unfinished at shutdown. */
  public long released() {
    return released.get();
  }

  /** Jobs running now. */
  public int running() {
    return running.size();
  }

  /** Whether every slot has stopped. */
  public boolean isStopped() {
    return stopped.getCount() == 0;
  }

  private void loop() {
    try {
      ClaimRequest request = new ClaimRequest(options.workerId(), lease, 1, options.types());
      int errorsInARow = 0;
      while (!stopping) {
        CompletableFuture<List<LeasedJob<T>>> claim = queue.claimAsync(request, options.pollWait());
        List<LeasedJob<T>> got;
        try {
          got = claim.get();
          errorsInARow = 0;
        } catch (InterruptedException e) {
          claim.thenAccept(this::releaseAll); // whatever it brings back goes back
          return;
        } catch (ExecutionException e) {
          if (stopping) {
            return;
          }
          errorsInARow++;
          Throwable cause = unwrap(e);
          if (errorsInARow == 1 || errorsInARow % 10 == 0) {
            log.warn("worker {} could not claim from queue {} ({} in a row): {}",
                options.workerId(), queue.name(), errorsInARow, cause.getMessage());
          }
          pause(errorsInARow);
          continue;
        }
        for (LeasedJob<T> job : got) {
          if (stopping) {
            release(job);
          } else {
            run(job);
          }
        }
      }
    } finally {
      stopped.countDown();
    }
  }

  private void run(LeasedJob<T> job) {
    running.add(job);
    HeartbeatTask beat = new HeartbeatTask(job);
    beat.future =
        heartbeats.scheduleAtFixedRate(beat, heartbeatEvery.toMillis(), heartbeatEvery.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      handler.handle(job);
      beat.stop();
      if (beat.lost) {
        log.warn("job {} finished after its lease was lost; not completing it", job.id());
        return;
      }
      completeInBackground(job);
    } catch (InterruptedException e) {
      beat.stop();
      release(job);
    } catch (Exception e) {
      beat.stop();
      if (forced) {
        release(job); // interrupted by shutdown: not the job's fault
        return;
      }
      failed.incrementAndGet();
      if (beat.lost) {
        return;
      }
      String error = e instanceof JobFailure ? String.valueOf(e.getMessage()) : e.toString();
      boolean retry = !(e instanceof JobFailure jf) || jf.retry();
      try {
        uninterrupted(() -> ClientQueue.await(queue.failAsync(job, error, retry)));
      } catch (RuntimeException re) {
        log.warn("could not report the failure of job {}: {}", job.id(), re.getMessage());
      }
    } catch (Error e) {
      beat.stop();
      release(job);
      throw e;
    } finally {
      running.remove(job);
    }
  }

  /**
   * Completes the job without waiting, so the slot's next claim shares the commit with this
   * completion (one commit per job instead of two). Shutdown waits for these.
   */
  private void completeInBackground(LeasedJob<T> job) {
    CompletableFuture<Void> settled = new CompletableFuture<>();
    completing.add(settled);
    queue.completeAsync(job, null).whenComplete(
        (v, e) -> {
          try {
            settle(job, e);
          } finally {
            completing.remove(settled);
            settled.complete(null);
          }
        });
  }

  private void settle(LeasedJob<T> job, Throwable e) {
    if (e == null) {
      completed.incrementAndGet();
      return;
    }
    Throwable cause = unwrap(e);
    if (cause instanceof LeaseRejectedException || cause instanceof JobNotFoundException) {
      lost.incrementAndGet();
    }
    log.warn("could not complete job {}: {}", job.id(), cause.getMessage());
  }

  /** Extends one job's lease on a schedule; notices when the lease is lost. */
  private final class HeartbeatTask implements Runnable {
    final LeasedJob<T> job;
    volatile ScheduledFuture<?> future;
    volatile boolean lost;
    volatile boolean inFlight;

    HeartbeatTask(LeasedJob<T> job) {
      this.job = job;
    }

    @Override
    public void run() {
      if (lost || inFlight) {
        return;
      }
      inFlight = true;
      queue
          .heartbeatAsync(job, lease)
          .whenComplete(
              (expiry, error) -> {
                inFlight = false;
                if (error == null) {
                  return;
                }
                Throwable cause = unwrap(error);
                if (cause instanceof LeaseRejectedException
                    || cause instanceof JobNotFoundException) {
                  if (!lost) {
                    lost = true;
                    ClientWorker.this.lost.incrementAndGet();
                    log.warn("lease of job {} is lost: {}", job.id(), cause.getMessage());
                    stop();
                  }
                } else {
                  log.warn("heartbeat of job {} failed: {}", job.id(), cause.getMessage());
                }
              });
    }

    void stop() {
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  private void releaseAll(List<LeasedJob<T>> jobs) {
    for (LeasedJob<T> j : jobs) {
      queue.releaseAsync(j)
          .whenComplete(
              (v, e) -> {
                if (e == null) {
                  released.incrementAndGet();
                } else {
                  log.debug("release of job {} failed: {}", j.id(), e.toString());
                }
              });
    }
  }

  private void release(LeasedJob<T> job) {
    try {
      uninterrupted(() -> queue.release(job));
      released.incrementAndGet();
    } catch (RuntimeException e) {
      log.debug("release of job {} failed: {}", job.id(), e.toString());
    }
  }

  /** Runs a blocking call with the interrupt flag cleared (and restores it afterwards). */
  private static void uninterrupted(Runnable call) {
    boolean wasInterrupted = Thread.interrupted();
    try {
      call.run();
    } finally {
      if (wasInterrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void pause(int errorsInARow) {
    long millis = Math.min(MAX_ERROR_PAUSE.toMillis(), 100L << Math.min(errorsInARow, 10));
    try {
      stopSignal.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Stops claiming, lets running jobs finish for the grace period, then interrupts their handlers
   * and releases their jobs. Returns when every slot has stopped (or after a further grace
   * period if a handler ignores interruption).
   */
  @Override
  public void close() {
    stopping = true;
    stopSignal.countDown();
    try {
      if (!stopped.await(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        forced = true;
        log.info("worker {}: grace period over; interrupting {} running job(s)",
            options.workerId(), running.size());
        for (Thread t : slots) {
          t.interrupt();
        }
        if (!stopped.await(Math.max(5_000, options.shutdownGrace().toMillis()),
            TimeUnit.MILLISECONDS)) {
          log.warn("worker {}: {} handler(s) ignore interruption; releasing their jobs",
              options.workerId(), running.size());
          for (LeasedJob<T> job : running) {
            release(job);
          }
        }
      }
      awaitCompletions();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      heartbeats.shutdownNow();
    }
  }

  private void awaitCompletions() throws InterruptedException {
    CompletableFuture<?>[] pending = completing.toArray(CompletableFuture<?>[]::new);
    try {
      CompletableFuture.allOf(pending).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // each failure was logged by its own callback
    }
  }
}
