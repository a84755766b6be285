package dev.casq.api;

/** A request is malformed or out of bounds. Nothing was changed. */
public class InvalidRequestException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error for a rejected request.
   *
   * @param message which field is wrong and why
   */
  public InvalidRequestException(String message) {
    super(message);
  }
}
