package dev.casq.core.internal;

import dev.casq.api.Cancellation;
import java.util.concurrent.CancellationException;

/** What a worker tells the queue about a job once its handler has returned or thrown. */
public enum Settlement {
  /** The handler returned: complete the job. */
  COMPLETE,
  /** The handler threw: fail the attempt (retried while attempts remain). */
  FAIL,
  /** The handler stopped because the worker shuts down: give the job back, attempt not counted. */
  RELEASE,
  /** The lease is lost (or the job was abandoned): tell the queue nothing, it would be refused. */
  NOTHING;

  /**
   * Decides the settlement of one job.
   *
   * @param thrown what the handler threw, or null when it returned
   * @param leaseLost whether the lease was lost (rejected, or expired on the worker's clock)
   * @param cancelled why the worker signalled the handler, or null
   * @param interruptedByWorker whether the worker interrupted the handler's thread
   */
  public static Settlement decide(
      Throwable thrown,
      boolean leaseLost,
      Cancellation.Reason cancelled,
      boolean interruptedByWorker) {
    if (leaseLost || cancelled == Cancellation.Reason.LEASE_LOST) {
      return NOTHING;
    }
    if (thrown == null) {
      return COMPLETE;
    }
    boolean stopped =
        thrown instanceof InterruptedException || thrown instanceof CancellationException;
    if (stopped || (cancelled == Cancellation.Reason.SHUTDOWN && interruptedByWorker)) {
      return RELEASE;
    }
    return FAIL;
  }
}
