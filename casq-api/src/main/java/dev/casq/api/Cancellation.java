package dev.casq.api;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tells a running handler that it should stop: its lease was lost (another worker may get the job,
 * and nothing this handler does will be completed) or its worker is shutting down. A handler that
 * runs for long checks {@link #isCancelled()} between steps, or calls {@link #throwIfCancelled()};
 * the worker also interrupts the handler's thread when the lease is lost.
 *
 * <p>Returning normally from a handler completes the job; a handler that stops because it was
 * cancelled should throw (for example through {@link #throwIfCancelled()}), so that a job given up
 * at shutdown is released rather than completed.
 */
public final class Cancellation {
  /** Why a job's handler was asked to stop. */
  public enum Reason {
    /** The lease was rejected by the queue or ran out: the job may already run elsewhere. */
    LEASE_LOST,
    /** The worker is closing: finish within its grace period or stop. */
    SHUTDOWN
  }

  private final AtomicReference<Reason> reason = new AtomicReference<>();

  /** A cancellation that nothing has signalled yet. */
  public Cancellation() {}

  /** True once the handler was asked to stop, for any reason. */
  public boolean isCancelled() {
    return reason.get() != null;
  }

  /** True once the lease of the job is lost: its outcome will not be reported. */
  public boolean leaseLost() {
    return reason.get() == Reason.LEASE_LOST;
  }

  /** Why the handler was asked to stop, or null while it was not. */
  public Reason reason() {
    return reason.get();
  }

  /**
   * Throws {@link CancellationException} when the handler was asked to stop.
   *
   * @throws CancellationException naming the reason
   */
  public void throwIfCancelled() {
    Reason r = reason.get();
    if (r != null) {
      throw new CancellationException(
          r == Reason.LEASE_LOST ? "the lease of the job was lost" : "the worker is shutting down");
    }
  }

  /**
   * Signals the handler; called by the worker that runs the job. A lost lease overrides a shutdown
   * signal (it is the stronger news); otherwise the first reason stays.
   *
   * @return true when this call changed the reason
   */
  public boolean cancel(Reason why) {
    if (why == Reason.LEASE_LOST) {
      return reason.getAndSet(Reason.LEASE_LOST) != Reason.LEASE_LOST;
    }
    return reason.compareAndSet(null, why);
  }
}
