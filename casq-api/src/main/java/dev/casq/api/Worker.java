package dev.casq.api;

/**
 * Claims jobs and runs a handler on each, with automatic heartbeats while it runs; started by
 * {@link Queue#worker}. It runs on its own threads until closed.
 *
 * <p>{@link #close()} stops claiming and signals running handlers; handlers that finish within the
 * grace period ({@link WorkerOptions#shutdownGrace()}) are completed or failed as usual. Handlers
 * still running then are interrupted; a job whose handler still runs after that is never released
 * (it could then run twice at once): its lease is left to expire.
 */
public interface Worker extends AutoCloseable {
  /**
   * Jobs this worker completed: the handler returned and the completion was accepted.
   *
   * @return the number of completed jobs
   */
  long completed();

  /**
   * Handler runs this worker reported as failed (whether or not the job will be retried).
   *
   * @return the number of failed runs
   */
  long failed();

  /**
   * Jobs whose lease was lost while their handler ran (nothing was reported for them).
   *
   * @return the number of lost jobs
   */
  long lost();

  /** Stops claiming, lets running handlers finish within the grace period, then returns. */
  @Override
  void close();
}
