package dev.casq.api;

/**
 * Runs one job for a {@link Worker}. Returning completes the job; throwing fails the attempt
 * (retried with backoff while the job has attempts left; {@link JobFailure} chooses the message and
 * whether to retry).
 *
 * <p>A long handler checks {@code job.leaseLost()} (or {@code job.cancellation()}): once the lease
 * is lost the job may run elsewhere and nothing this handler does is reported; the thread is also
 * interrupted then. At shutdown the cancellation is signalled first and the thread interrupted when
 * the grace period is over; a handler that stops early should throw (e.g. {@code
 * job.cancellation().throwIfCancelled()}) so that the job is released rather than completed.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface JobHandler<T> {
  /**
   * Runs one job: returning completes it, throwing fails the attempt.
   *
   * @param job the leased job, with its payload and cancellation
   * @throws Exception to fail the attempt ({@link JobFailure} chooses the message and whether to
   *     retry; {@code InterruptedException} gives the job back uncounted)
   */
  void handle(LeasedJob<T> job) throws Exception;
}
