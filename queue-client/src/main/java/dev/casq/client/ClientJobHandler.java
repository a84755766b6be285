package dev.casq.client;

/**
 * Runs one job for a {@link ClientWorker}. Returning completes the job; throwing fails the attempt
 * (retried with backoff while the job has attempts left). The thread is interrupted when the worker
 * shuts down and the grace period is over; the job is then released.
 */
@FunctionalInterface
public interface ClientJobHandler<T> {
  void handle(LeasedJob<T> job) throws Exception;
}
