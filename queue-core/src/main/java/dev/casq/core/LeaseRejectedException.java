package dev.casq.core;

/**
 * The caller does not hold a valid lease on the job: wrong token, the job is not leased, or the
 * lease expired and was released. Nothing was changed.
 */
public class LeaseRejectedException extends QueueException {
  private static final long serialVersionUID = 1L;

  public LeaseRejectedException(String message) {
    super(message);
  }
}
