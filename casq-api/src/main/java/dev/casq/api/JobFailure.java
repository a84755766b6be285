package dev.casq.api;

/**
 * Thrown by a {@link JobHandler} to fail the job with exactly this message as its error, and to say
 * whether it may be retried. Any other exception fails the attempt with its {@code toString()} and
 * is retried while the job has attempts left.
 */
public class JobFailure extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean retry;

  /** A failure that is retried while the job has attempts left. */
  public JobFailure(String message) {
    this(message, true);
  }

  /** A failure; {@code retry=false} makes the job dead at once. */
  public JobFailure(String message, boolean retry) {
    super(message);
    this.retry = retry;
  }

  /**
   * Whether the job is retried (while it has attempts left) or goes dead at once.
   *
   * @return true to retry
   */
  public boolean retry() {
    return retry;
  }
}
