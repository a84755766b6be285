package dev.casq.client;

import dev.casq.api.Cancellation;
import dev.casq.api.ClaimRequest;
import dev.casq.api.JobFailure;
import dev.casq.api.JobHandler;
import dev.casq.api.LeasedJob;
import dev.casq.api.WorkerOptions;
import dev.casq.core.internal.ClaimBackoff;
import dev.casq.core.internal.HandlerRun;
import dev.casq.core.internal.LeaseWatch;
import dev.casq.core.internal.Settlement;
import dev.casq.core.internal.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
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
 * travels in the same commit as that completion; the worker's completions are sent in batches, one
 * request at once when none is in flight, else every completion that waited for it in the next
 * request, see {@link CompletionBatcher}) and fails it when the handler throws (the job is retried
 * with backoff while it has attempts left).
 *
 * <p>Leases: the worker tracks the expiry it was granted (on its own clock, from when each request
 * was sent). A heartbeat the broker rejects (409, 404) loses the lease at once; other heartbeat
 * failures (broker unavailable, 5xx, timeouts) are retried until that expiry passes, and then the
 * lease is lost too. A lost lease is signalled to the handler ({@link LeasedJob#leaseLost()}) and
 * its thread interrupted; nothing is reported for that job afterwards.
 *
 * <p>Failing claims pause with {@link ClaimBackoff} (50 ms doubling to 5 s, jittered), reset by a
 * successful claim.
 *
 * <p>{@link #close()} shuts down gracefully: no new claims; running handlers are signalled and get
 * the grace period to finish (and are then completed or failed as usual); after it they are
 * interrupted, and those that stop are released (without counting the attempt). A job whose handler
 * still runs after that is never released, since it could then run twice at once: its lease is left
 * to expire. Broker outages are ridden out by the client's retries and failover.
 */
public final class ClientWorker<T> implements dev.casq.api.Worker {
  /** The lease asked for when the options name none. */
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(ClientWorker.class);

  /** How long close() waits for interrupted handlers after the grace period, at least. */
  private static final Duration AFTER_INTERRUPT = Duration.ofSeconds(5);

  private final ClientQueue<T> queue;
  private final JobHandler<T> handler;
  private final WorkerOptions options;
  private final Clock clock;
  private final Sleeper sleeper;
  private final ClaimBackoff backoff;
  private final Duration lease;
  private final Duration heartbeatEvery;
  private final Thread[] slots;
  private final ScheduledExecutorService heartbeats;
  private final Set<HandlerRun> running = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<Void>> completing = ConcurrentHashMap.newKeySet();
  private final CompletionBatcher<T> completions;
  private final CountDownLatch stopped;
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong released = new AtomicLong();
  private volatile boolean stopping;

  /** Slots waiting for a claim's answer: close() interrupts them (never a running handler). */
  private final Set<Thread> claiming = new java.util.HashSet<>();

  ClientWorker(ClientQueue<T> queue, JobHandler<T> handler, WorkerOptions options) {
    this(queue, handler, options, Clock.systemUTC(), null, ClaimBackoff.defaults());
  }

  /**
   * @param sleeper pauses after a failed claim; null to wait on the worker's stop signal
   */
  ClientWorker(
      ClientQueue<T> queue,
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
    this.completions = new CompletionBatcher<>(queue, clock);
    this.lease = options.lease() != null ? options.lease() : DEFAULT_LEASE;
    Duration hb =
        options.heartbeatInterval() != null ? options.heartbeatInterval() : lease.dividedBy(3);
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
  @Override
  public long completed() {
    return completed.get();
  }

  /** Jobs whose handler threw (reported as failed attempts). */
  @Override
  public long failed() {
    return failed.get();
  }

  /** Jobs whose lease was lost while they ran (rejected, or expired while heartbeats failed). */
  @Override
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
      // a claim that failed (its deadline passed, its outcome unknown) may have leased a job: the
      // next claim sends its request id again and gets that job back; every answer ends the id
      ClaimRequest request =
          new ClaimRequest(
              options.workerId(), lease, 1, options.types(), UUID.randomUUID().toString());
      while (!stopping) {
        Instant sentAt = clock.instant();
        CompletableFuture<List<LeasedJob<T>>> claim = queue.claimAsync(request, options.pollWait());
        List<LeasedJob<T>> got;
        try {
          synchronized (claiming) {
            if (stopping) {
              throw new InterruptedException("closing");
            }
            claiming.add(Thread.currentThread());
          }
          try {
            got = claim.get();
          } finally {
            synchronized (claiming) {
              claiming.remove(Thread.currentThread());
            }
            if (stopping) {
              Thread.interrupted(); // close() may have interrupted the wait just as it ended
            }
          }
          backoff.succeeded();
          request = request.withRequestId(UUID.randomUUID().toString());
        } catch (InterruptedException e) {
          // close() ends the wait for a long poll at once (a broker that stops answers it
          // empty); whatever it still brings back goes back
          claim.thenAccept(this::releaseAll);
          return;
        } catch (ExecutionException e) {
          if (stopping) {
            return;
          }
          Duration pause = backoff.failed();
          int n = backoff.failuresInARow();
          if (n == 1 || n % 10 == 0) {
            log.warn(
                "worker {} could not claim from queue {} ({} in a row; pausing {} ms): {}",
                options.workerId(),
                queue.name(),
                n,
                pause.toMillis(),
                unwrap(e).getMessage());
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
            release(job);
          } else {
            run(job, sentAt);
          }
        }
      }
    } finally {
      stopped.countDown();
    }
  }

  private void run(LeasedJob<T> leased, Instant claimSentAt) {
    Cancellation cancellation = new Cancellation();
    LeasedJob<T> job = leased.withCancellation(cancellation);
    HandlerRun run =
        new HandlerRun(
            job.id(), Thread.currentThread(), cancellation, LeaseWatch.granted(claimSentAt, lease));
    running.add(run);
    if (stopping) {
      run.stop(Cancellation.Reason.SHUTDOWN, false);
    }
    HeartbeatTask beat = new HeartbeatTask(job, run);
    beat.future =
        heartbeats.scheduleAtFixedRate(
            beat, heartbeatEvery.toMillis(), heartbeatEvery.toMillis(), TimeUnit.MILLISECONDS);
    Throwable thrown = null;
    try {
      handler.handle(job);
    } catch (Exception e) {
      thrown = e;
    } catch (Error e) {
      beat.stop();
      run.handlerReturned();
      running.remove(run);
      throw e; // the job's lease is left to expire
    } finally {
      beat.stop();
    }
    try {
      if (run.handlerReturned()) {
        log.debug(
            "job {} finished after close() gave it up; its lease is left to expire", job.id());
        return;
      }
      boolean leaseLost = run.lease().isLost(clock.instant());
      settle(
          job,
          run.lease(),
          Settlement.decide(thrown, leaseLost, cancellation.reason(), run.interruptedByWorker()),
          thrown);
    } finally {
      running.remove(run);
    }
  }

  private void settle(LeasedJob<T> job, LeaseWatch lease, Settlement settlement, Throwable thrown) {
    switch (settlement) {
      case COMPLETE -> completeInBackground(job, lease);
      case FAIL -> {
        failed.incrementAndGet();
        String error =
            thrown instanceof JobFailure ? String.valueOf(thrown.getMessage()) : thrown.toString();
        boolean retry = !(thrown instanceof JobFailure jf) || jf.retry();
        try {
          ClientQueue.await(queue.failAsync(job, error, retry));
        } catch (RuntimeException re) {
          log.warn("could not report the failure of job {}: {}", job.id(), re.getMessage());
        }
      }
      case RELEASE -> release(job);
      case NOTHING -> {
        lost.incrementAndGet();
        log.warn("job {} ended after its lease was lost; not reporting its outcome", job.id());
      }
    }
  }

  /**
   * Completes the job without waiting, so the slot's next claim shares the commit with this
   * completion; the worker's completions go out in batches ({@link CompletionBatcher}): at once
   * when none is in flight, else together in one request when the one in flight is answered. A job
   * whose lease is lost by the time its batch is sent is not reported completed. Shutdown waits for
   * these.
   */
  private void completeInBackground(LeasedJob<T> job, LeaseWatch lease) {
    CompletableFuture<Void> settled = new CompletableFuture<>();
    completing.add(settled);
    completions
        .complete(job, lease)
        .whenComplete(
            (r, e) -> {
              try {
                CompletionBatcher.Outcome outcome =
                    r == null ? CompletionBatcher.Outcome.FAILED : r.outcome();
                switch (outcome) {
                  case COMPLETED -> completed.incrementAndGet();
                  case LEASE_LOST -> {
                    lost.incrementAndGet();
                    log.warn(
                        "job {}: its lease was lost before its completion was sent; not reporting"
                            + " it",
                        job.id());
                  }
                  case REJECTED -> {
                    lost.incrementAndGet();
                    log.warn("could not complete job {}: {}", job.id(), r.error().getMessage());
                  }
                  case FAILED -> {
                    Throwable cause = r == null ? e : r.error();
                    log.warn(
                        "could not complete job {}: {}",
                        job.id(),
                        cause == null ? "unknown error" : cause.getMessage());
                  }
                }
              } finally {
                completing.remove(settled);
                settled.complete(null);
              }
            });
  }

  /** Extends one job's lease on a schedule; finds out when the lease is lost and says so. */
  private final class HeartbeatTask implements Runnable {
    final LeasedJob<T> job;
    final HandlerRun run;
    volatile ScheduledFuture<?> future;
    volatile boolean inFlight;

    HeartbeatTask(LeasedJob<T> job, HandlerRun run) {
      this.job = job;
      this.run = run;
    }

    @Override
    public void run() {
      LeaseWatch watch = run.lease();
      if (run.cancellation().leaseLost()) {
        return;
      }
      Instant sentAt = clock.instant();
      if (watch.isLost(sentAt)) {
        leaseLost("its expiry " + watch.expiresAt() + " passed without a successful heartbeat");
        return;
      }
      if (inFlight) {
        return;
      }
      inFlight = true;
      queue
          .heartbeatAsync(job, lease)
          .whenComplete(
              (expiry, error) -> {
                inFlight = false;
                if (error == null) {
                  watch.extended(sentAt, lease);
                  return;
                }
                Throwable cause = unwrap(error);
                if (LeaseWatch.isRejection(cause)) {
                  watch.rejected();
                  leaseLost(cause.getMessage());
                } else if (watch.isLost(clock.instant())) {
                  leaseLost("heartbeats failed until its expiry passed: " + cause.getMessage());
                } else {
                  log.warn(
                      "heartbeat of job {} failed (retrying until {}): {}",
                      job.id(),
                      watch.expiresAt(),
                      cause.getMessage());
                }
              });
    }

    private void leaseLost(String why) {
      if (run.cancellation().leaseLost()) {
        return;
      }
      log.warn("lease of job {} is lost ({}); interrupting its handler", job.id(), why);
      run.stop(Cancellation.Reason.LEASE_LOST, true);
      stop();
    }

    void stop() {
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  private CompletableFuture<Void> releaseAll(List<LeasedJob<T>> jobs) {
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (LeasedJob<T> j : jobs) {
      all.add(
          queue
              .releaseAsync(j)
              .handle(
                  (v, e) -> {
                    if (e == null) {
                      released.incrementAndGet();
                    } else {
                      log.debug("release of job {} failed: {}", j.id(), e.toString());
                    }
                    return null;
                  }));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture<?>[]::new));
  }

  private void release(LeasedJob<T> job) {
    try {
      queue.release(job);
      released.incrementAndGet();
    } catch (RuntimeException e) {
      log.debug("release of job {} failed: {}", job.id(), e.toString());
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
   * Stops claiming and signals running handlers; lets them finish for the grace period, then
   * interrupts those still running and waits a little more (at least 5 s or the grace period). A
   * job whose handler still runs then is not released (it may still be working on it): its lease is
   * left to expire, and one log line names it.
   */
  @Override
  public void close() {
    synchronized (claiming) {
      stopping = true;
      for (Thread slot : claiming) {
        slot.interrupt(); // waiting for a claim, not running a handler: end the long poll
      }
    }
    stopSignal.countDown();
    for (HandlerRun run : running) {
      run.stop(Cancellation.Reason.SHUTDOWN, false);
    }
    try {
      if (!stopped.await(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        log.info(
            "worker {}: grace period over; interrupting {} running job(s)",
            options.workerId(),
            running.size());
        for (HandlerRun run : running) {
          run.stop(Cancellation.Reason.SHUTDOWN, true);
        }
        long wait = Math.max(AFTER_INTERRUPT.toMillis(), options.shutdownGrace().toMillis());
        if (!stopped.await(wait, TimeUnit.MILLISECONDS)) {
          HandlerRun.abandonStillRunning(running, options.workerId(), log);
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
