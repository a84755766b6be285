package dev.casq.core;

/** Runs one job. Returning completes it; throwing fails the attempt (retried while attempts remain). */
@FunctionalInterface
public interface JobHandler<T> {
  void handle(ClaimedJob<T> job) throws Exception;
}
