package dev.casq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
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
 * Claims jobs and runs a handler on each, with automatic heartbeats while it runs. {@link #close()}
 * stops claiming, lets running jobs finish for the grace period, then releases the rest.
 */
public final class Worker<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private final Queue<T> queue;
  private final JobHandler<T> handler;
  private final WorkerOptions options;
  private final Thread[] threads;
  private final ScheduledExecutorService heartbeats;
  private final Set<ClaimedJob<T>> running = ConcurrentHashMap.newKeySet();
  private final CountDownLatch stopped;
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean stopping;

  Worker(Queue<T> queue, JobHandler<T> handler, WorkerOptions options) {
    this.queue = queue;
    this.handler = handler;
    this.options = options;
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

  public long completed() {
    return completed.get();
  }

  public long failed() {
    return failed.get();
  }

  private void loop() {
    try {
      ClaimRequest request =
          new ClaimRequest(options.workerId(), options.lease(), 1, options.types());
      while (!stopping) {
        List<ClaimedJob<T>> got;
        try {
          got = queue.claim(request, options.pollWait());
        } catch (QueueClosedException e) {
          return;
        } catch (RuntimeException e) {
          if (stopping) {
            return;
          }
          log.warn("worker {} could not claim: {}", options.workerId(), e.toString());
          continue;
        }
        for (ClaimedJob<T> job : got) {
          if (stopping) {
            safeRelease(job);
          } else {
            run(job);
          }
        }
      }
    } finally {
      stopped.countDown();
    }
  }

  private void run(ClaimedJob<T> job) {
    running.add(job);
    Duration interval =
        options.heartbeatInterval() != null
            ? options.heartbeatInterval()
            : leaseOf(job).dividedBy(3);
    ScheduledFuture<?> beat =
        heartbeats.scheduleAtFixedRate(
            () -> {
              try {
                queue.heartbeat(job, leaseOf(job));
              } catch (RuntimeException e) {
                log.warn("heartbeat of job {} failed: {}", job.id(), e.toString());
              }
            },
            interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    try {
      handler.handle(job);
      beat.cancel(false);
      queue.complete(job);
      completed.incrementAndGet();
    } catch (InterruptedException e) {
      beat.cancel(false);
      safeRelease(job);
    } catch (Exception e) {
      beat.cancel(false);
      failed.incrementAndGet();
      try {
        queue.fail(job, e.toString());
      } catch (RuntimeException re) {
        log.warn("could not report failure of job {}: {}", job.id(), re.toString());
      }
    } finally {
      running.remove(job);
    }
  }

  private Duration leaseOf(ClaimedJob<T> job) {
    if (options.lease() != null) {
      return options.lease();
    }
    return queue.jobs().engine().machine().policy().defaultLease();
  }

  private void safeRelease(ClaimedJob<T> job) {
    try {
      queue.release(job);
    } catch (RuntimeException e) {
      log.debug("release of job {} failed: {}", job.id(), e.toString());
    }
  }

  /** Stops claiming, waits up to the grace period for running jobs, then releases the rest. */
  @Override
  public void close() {
    stopping = true;
    try {
      if (!stopped.await(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        for (Thread t : threads) {
          t.interrupt();
        }
        for (ClaimedJob<T> job : running) {
          safeRelease(job);
        }
        stopped.await(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      heartbeats.shutdownNow();
    }
  }
}
