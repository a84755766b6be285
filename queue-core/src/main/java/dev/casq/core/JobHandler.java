package dev.casq.core;

/**
 * Runs one job. Returning completes it; throwing fails the attempt (retried while attempts remain).
 * A long handler checks {@code job.cancellation()}: {@code leaseLost()} means the job may already
 * run elsewhere and nothing it does will be reported; at shutdown it is signalled too, and a
 * handler that stops early should throw (e.g. {@code job.cancellation().throwIfCancelled()}) so the
 * job is released rather than completed. Its thread is interrupted when the lease is lost.
 */
@FunctionalInterface
public interface JobHandler<T> {
  /**
   * Runs the job; returning completes it.
   * @param job the claimed job with its typed payload
   * @throws Exception to fail the attempt
   */
  void handle(ClaimedJob<T> job) throws Exception;
}
