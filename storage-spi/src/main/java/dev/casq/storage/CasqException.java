package dev.casq.storage;

/**
 * Root of casq's one unchecked exception hierarchy. Every error casq raises on purpose is a
 * {@code CasqException}; anything else escaping casq is a bug.
 */
public class CasqException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CasqException(String message) {
    super(message);
  }

  public CasqException(String message, Throwable cause) {
    super(message, cause);
  }
}
