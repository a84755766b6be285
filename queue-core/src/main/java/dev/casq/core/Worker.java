package dev.casq.core;

import dev.casq.api.Cancellation;
import dev.casq.api.ClaimRequest;
import dev.casq.api.JobFailure;
import dev.casq.api.JobHandler;
import dev.casq.api.LeasedJob;
import dev.casq.api.QueueClosedException;
import dev.casq.api.WorkerOptions;
import dev.casq.core.internal.ClaimBackoff;
import dev.casq.core.internal.HandlerRun;
import dev.casq.core.internal.LeaseWatch;
import dev.casq.core.internal.Settlement;
import dev.casq.core.internal.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded queue's {@link dev.casq.api.Worker}: claims jobs and runs a handler on each, with
 * automatic heartbeats while it runs.
 *
 * <p>Leases: the worker tracks the expiry each heartbeat granted. A heartbeat the queue rejects, or
 * an expiry that passes while heartbeats keep failing, loses the lease: the handler's {@link
 * LeasedJob#cancellation() cancellation} says so and its thread is interrupted, and nothing is
 * reported for the job afterwards (it may already run elsewhere).
 *
 * <p>Failing claims (queue fenced, storage failing) pause with {@link ClaimBackoff}: 50 ms doubling
 * to 5 s, jittered, reset by a successful claim.
 *
 * <p>{@link #close()} stops claiming and signals running handlers ({@link
 * Cancellation.Reason#SHUTDOWN}); handlers that finish within the grace period are completed or
 * failed as usual. Handlers still running then are interrupted; a job whose handler still runs
 * after that is never released (it could then run twice at once): its lease is left to expire.
 */
public final class Worker<T> implements dev.casq.api.Worker {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  /** How long close() waits for interrupted handlers after the grace period, at most. */
  private static final Duration AFTER_INTERRUPT = Duration.ofSeconds(5);

  private final Queue<T> queue;
  private final JobHandler<T> handler;
  private final WorkerOptions options;
  private final Clock clock;
  private final Sleeper sleeper;
  private final ClaimBackoff backoff;
  private final Thread[] threads;
  private final ScheduledExecutorService heartbeats;
  private final Set<HandlerRun> running = ConcurrentHashMap.newKeySet();
  private final CountDownLatch stopped;
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private volatile boolean stopping;

  Worker(Queue<T> queue, JobHandler<T> handler, WorkerOptions options) {
    this(queue, handler, options, Clock.systemUTC(), null, ClaimBackoff.defaults());
  }

  /**
   * @param sleeper pauses after a failed claim; null to wait on the worker's stop signal
   */
  Worker(
      Queue<T> queue,
      JobHandler<T> handler,
      WorkerOptions options,
      Clock clock,
      Sleeper sleeper,
      ClaimBackoff backoff) {
    this.queue = queue;
    this.handler = handler;
    this.options = options;
    this.clock = clock;
    this.sleeper =
        sleeper != null ? sleeper : d -> stopSignal.await(d.toNanos(), TimeUnit.NANOSECONDS);
    this.backoff = backoff;
    this.threads = new Thread[options.concurrency()];
    this.stopped = new CountDownLatch(options.concurrency());
    this.heartbeats =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "casq-heartbeat-" + options.workerId());
              t.setDaemon(true);
              return t;
            });
    for (int i = 0; i < threads.length; i++) {
      threads[i] = new Thread(this::loop, "casq-worker-" + options.workerId() + "-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
  }

  /**
   * Jobs this worker completed: the handler returned and the completion was accepted.
   *
   * @return the number of completed jobs
   */
  @Override
  public long completed() {
    return completed.get();
  }

  /**
   * Handler runs this worker reported as failed (whether or not the job will be retried).
   *
   * @return the number of failed runs
   */
  @Override
  public long failed() {
    return failed.get();
  }

  @Override
  public long lost() {
    return lost.get();
  }

  private void loop() {
    try {
      // a claim that failed with its outcome unknown may have leased a job: the next claim sends
      // its request id again and gets that job back; every answer ends the id
      ClaimRequest request =
          new ClaimRequest(
              options.workerId(),
              options.lease(),
              1,
              options.types(),
              UUID.randomUUID().toString());
      while (!stopping) {
        List<LeasedJob<T>> got;
        Instant sentAt = clock.instant();
        try {
          got = queue.claim(request, options.pollWait());
          backoff.succeeded();
          request = request.withRequestId(UUID.randomUUID().toString());
        } catch (QueueClosedException e) {
          return;
        } catch (RuntimeException e) {
          if (stopping) {
            return;
          }
          Duration pause = backoff.failed();
          int n = backoff.failuresInARow();
          if (n == 1 || n % 10 == 0) {
            log.warn(
                "worker {} could not claim ({} in a row; pausing {} ms): {}",
                options.workerId(),
                n,
                pause.toMillis(),
                e.toString());
          }
          try {
            sleeper.sleep(pause);
          } catch (InterruptedException ie) {
            return;
          }
          continue;
        }
        for (LeasedJob<T> job : got) {
          if (stopping) {
            safeRelease(job);
          } else {
            run(job, sentAt);
          }
        }
      }
    } finally {
      stopped.countDown();
    }
  }

  private void run(LeasedJob<T> claimed, Instant claimSentAt) {
    Duration lease = leaseOf();
    Cancellation cancellation = new Cancellation();
    LeasedJob<T> job = claimed.withCancellation(cancellation);
    HandlerRun run =
        new HandlerRun(
            job.id(), Thread.currentThread(), cancellation, LeaseWatch.granted(claimSentAt, lease));
    running.add(run);
    if (stopping) {
      run.stop(Cancellation.Reason.SHUTDOWN, false);
    }
    Duration interval =
        options.heartbeatInterval() != null ? options.heartbeatInterval() : lease.dividedBy(3);
    long every = Math.max(1, interval.toMillis());
    ScheduledFuture<?> beat =
        heartbeats.scheduleAtFixedRate(
            () -> beat(job, run, lease), every, every, TimeUnit.MILLISECONDS);
    Throwable thrown = null;
    try {
      handler.handle(job);
    } catch (Exception e) {
      thrown = e;
    } finally {
      beat.cancel(false);
    }
    try {
      boolean abandoned = run.handlerReturned();
      if (abandoned) {
        log.debug(
            "job {} finished after close() gave it up; its lease is left to expire", job.id());
        return;
      }
      boolean leaseLost = run.lease().isLost(clock.instant());
      settle(
          job,
          Settlement.decide(thrown, leaseLost, cancellation.reason(), run.interruptedByWorker()),
          thrown);
    } finally {
      running.remove(run);
    }
  }

  private void settle(LeasedJob<T> job, Settlement settlement, Throwable thrown) {
    switch (settlement) {
      case COMPLETE -> {
        try {
          queue.complete(job);
          completed.incrementAndGet();
        } catch (RuntimeException e) {
          log.warn("could not complete job {}: {}", job.id(), e.toString());
        }
      }
      case FAIL -> {
        failed.incrementAndGet();
        try {
          String error =
              thrown instanceof JobFailure
                  ? String.valueOf(thrown.getMessage())
                  : thrown.toString();
          boolean retry = !(thrown instanceof JobFailure jf) || jf.retry();
          Queue.await(queue.failAsync(job, error, retry));
        } catch (RuntimeException re) {
          log.warn("could not report failure of job {}: {}", job.id(), re.toString());
        }
      }
      case RELEASE -> safeRelease(job);
      case NOTHING -> {
        lost.incrementAndGet();
        log.warn("job {} ended after its lease was lost; not reporting its outcome", job.id());
      }
    }
  }

  /** One scheduled heartbeat: extends the lease, or finds it lost and stops the handler. */
  private void beat(LeasedJob<T> job, HandlerRun run, Duration lease) {
    LeaseWatch watch = run.lease();
    if (run.cancellation().leaseLost()) {
      return;
    }
    Instant sentAt = clock.instant();
    if (watch.isLost(sentAt)) {
      leaseLost(job, run, "its expiry " + watch.expiresAt() + " passed without a heartbeat");
      return;
    }
    try {
      queue.heartbeat(job, lease);
      watch.extended(sentAt, lease);
    } catch (RuntimeException e) {
      if (LeaseWatch.isRejection(e)) {
        watch.rejected();
        leaseLost(job, run, e.getMessage());
      } else if (watch.isLost(clock.instant())) {
        leaseLost(job, run, "heartbeats failed until its expiry passed: " + e);
      } else {
        log.warn(
            "heartbeat of job {} failed (retrying until {}): {}",
            job.id(),
            watch.expiresAt(),
            e.toString());
      }
    }
  }

  private void leaseLost(LeasedJob<T> job, HandlerRun run, String why) {
    log.warn("lease of job {} is lost ({}); interrupting its handler", job.id(), why);
    run.stop(Cancellation.Reason.LEASE_LOST, true);
  }

  private Duration leaseOf() {
    if (options.lease() != null) {
      return options.lease();
    }
    return queue.jobs().engine().machine().policy().defaultLease();
  }

  private void safeRelease(LeasedJob<T> job) {
    try {
      queue.release(job);
    } catch (RuntimeException e) {
      log.debug("release of job {} failed: {}", job.id(), e.toString());
    }
  }

  /**
   * Stops claiming and signals running handlers; waits up to the grace period for them, then
   * interrupts those still running and waits a little more. A job whose handler is still running
   * after that is not released (it may still be working on it): its lease is left to expire.
   */
  @Override
  public void close() {
    stopping = true;
    stopSignal.countDown();
    for (HandlerRun run : running) {
      run.stop(Cancellation.Reason.SHUTDOWN, false);
    }
    try {
      if (!stopped.await(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        for (HandlerRun run : running) {
          run.stop(Cancellation.Reason.SHUTDOWN, true);
        }
        if (!stopped.await(AFTER_INTERRUPT.toMillis(), TimeUnit.MILLISECONDS)) {
          HandlerRun.abandonStillRunning(running, options.workerId(), log);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      heartbeats.shutdownNow();
    }
  }
}
