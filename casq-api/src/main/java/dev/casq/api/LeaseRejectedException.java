package dev.casq.api;

/**
 * The caller does not hold a valid lease on the job: wrong token, the job is not leased, or the
 * lease expired and was released. Nothing was changed.
 */
public class LeaseRejectedException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error for an operation without a valid lease.
   *
   * @param message why the lease was rejected
   */
  public LeaseRejectedException(String message) {
    super(message);
  }
}
