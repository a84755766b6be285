package dev.casq.core.internal;

import dev.casq.api.Cancellation;
import java.util.Objects;

/**
 * One handler running on one worker thread, as seen by the threads that may have to stop it (the
 * heartbeat when the lease is lost, close() at shutdown). The thread is interrupted only while the
 * handler runs, never after it returned, so an interrupt meant for one job cannot hit the worker's
 * next claim or the next job.
 */
public final class HandlerRun {
  private final String jobId;
  private final Thread thread;
  private final Cancellation cancellation;
  private final LeaseWatch lease;
  private boolean inHandler = true;
  private boolean interrupted;
  private boolean abandoned;

  /**
   * @param jobId the job, for messages
   * @param thread the thread that runs the handler
   * @param cancellation what the handler sees
   * @param lease the lease of the job
   */
  public HandlerRun(String jobId, Thread thread, Cancellation cancellation, LeaseWatch lease) {
    this.jobId = Objects.requireNonNull(jobId, "jobId");
    this.thread = Objects.requireNonNull(thread, "thread");
    this.cancellation = Objects.requireNonNull(cancellation, "cancellation");
    this.lease = Objects.requireNonNull(lease, "lease");
  }

  /**
   * The id of the job whose handler runs.
   *
   * @return the job id
   */
  public String jobId() {
    return jobId;
  }

  /**
   * The cancellation signal the handler sees; signalled when the run is stopped.
   *
   * @return the handler's cancellation
   */
  public Cancellation cancellation() {
    return cancellation;
  }

  /**
   * The lease of the job, as kept alive by the worker's heartbeat.
   *
   * @return the lease watch
   */
  public LeaseWatch lease() {
    return lease;
  }

  /** Signals the handler and, with {@code interrupt}, interrupts its thread if it still runs. */
  public synchronized void stop(Cancellation.Reason why, boolean interrupt) {
    cancellation.cancel(why);
    if (interrupt && inHandler) {
      interrupted = true;
      thread.interrupt();
    }
  }

  /**
   * Called on the handler's thread when the handler returned or threw: no interrupt reaches the
   * thread after this, and one that arrived is cleared.
   *
   * @return true when the job was abandoned meanwhile (its outcome must not be reported)
   */
  public synchronized boolean handlerReturned() {
    inHandler = false;
    Thread.interrupted();
    return abandoned;
  }

  /** Gives the job up if its handler still runs (its lease is left to expire). */
  public synchronized boolean abandonIfRunning() {
    if (inHandler) {
      abandoned = true;
    }
    return abandoned;
  }

  /**
   * At the end of a worker's shutdown: gives up every run whose handler still runs (its job is not
   * released: its lease is left to expire) and says so in one log line naming the jobs.
   *
   * @param runs the worker's running handlers
   * @param workerId the worker, for the log line
   * @param log where to say it
   */
  public static void abandonStillRunning(
      Iterable<HandlerRun> runs, String workerId, org.slf4j.Logger log) {
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (HandlerRun run : runs) {
      if (run.abandonIfRunning()) {
        ids.add(run.jobId() + " until " + run.lease().expiresAt());
      }
    }
    if (!ids.isEmpty()) {
      log.warn(
          "worker {}: {} handler(s) still running after the grace period and an interrupt;"
              + " their jobs are not released, their leases are left to expire: {}",
          workerId,
          ids.size(),
          ids);
    }
  }

  /** Whether the worker interrupted the handler's thread. */
  public synchronized boolean interruptedByWorker() {
    return interrupted;
  }

  /** Whether the handler is still running. */
  public synchronized boolean running() {
    return inHandler;
  }
}
