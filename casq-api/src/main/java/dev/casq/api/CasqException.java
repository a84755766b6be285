package dev.casq.api;

/**
 * Root of casq's one unchecked exception hierarchy. Every error casq raises on purpose is a {@code
 * CasqException}, whether the queue is embedded or reached through a broker; anything else escaping
 * casq is a bug. docs/api.md lists the subclasses and where they come from.
 */
public class CasqException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an error.
   *
   * @param message what went wrong, for the caller and the log
   */
  public CasqException(String message) {
    super(message);
  }

  /**
   * Creates an error with its cause.
   *
   * @param message what went wrong, for the caller and the log
   * @param cause the error that caused it
   */
  public CasqException(String message, Throwable cause) {
    super(message, cause);
  }
}
