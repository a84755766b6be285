package dev.casq.api;

/**
 * A push was refused because the queue object reached its configured largest size ({@code
 * maxObjectBytes}): drain the queue, or raise the limit. Nothing was changed.
 */
public class QueueFullException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error for a push refused by a full queue object.
   *
   * @param message the object size and the limit
   */
  public QueueFullException(String message) {
    super(message);
  }
}
