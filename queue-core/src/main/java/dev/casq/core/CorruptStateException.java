package dev.casq.core;

/**
 * The queue object exists but is not a casq queue state this version understands (corrupt,
 * foreign, or of an unknown format). casq never overwrites it.
 */
public class CorruptStateException extends QueueException {
  private static final long serialVersionUID = 1L;

  public CorruptStateException(String message, Throwable cause) {
    super(message, cause);
  }

  public CorruptStateException(String message) {
    super(message);
  }
}
