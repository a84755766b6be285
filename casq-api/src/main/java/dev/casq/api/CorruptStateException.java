package dev.casq.api;

/**
 * The queue object exists but is not a casq queue state this version understands (corrupt, foreign,
 * or of an unknown format). casq never overwrites it.
 */
public class CorruptStateException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error for a queue object that could not be decoded.
   *
   * @param message what went wrong, for the caller and the log
   * @param cause the decoding error
   */
  public CorruptStateException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates the error for a queue object that decodes but is not a casq queue state.
   *
   * @param message what went wrong, for the caller and the log
   */
  public CorruptStateException(String message) {
    super(message);
  }
}
