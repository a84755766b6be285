package dev.casq.api;

/** A job payload is larger than the configured limit. Nothing was changed. */
public class PayloadTooLargeException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error for an oversized payload.
   *
   * @param message the size and the limit
   */
  public PayloadTooLargeException(String message) {
    super(message);
  }
}
