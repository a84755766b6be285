package dev.casq.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link Worker} runs: the same options for an embedded queue and a broker's.
 *
 * @param workerId recorded in each lease
 * @param concurrency jobs run at once
 * @param lease lease duration asked for; null for the queue default
 * @param heartbeatInterval how often a running job's lease is extended; null for a third of the
 *     lease
 * @param pollWait how long one claim waits for a job (long poll)
 * @param shutdownGrace how long close() lets signalled handlers finish before interrupting them; a
 *     job whose handler still runs after that is not released (its lease is left to expire)
 * @param types only jobs of these types; empty for any
 */
public record WorkerOptions(
    String workerId,
    int concurrency,
    Duration lease,
    Duration heartbeatInterval,
    Duration pollWait,
    Duration shutdownGrace,
    Set<String> types) {

  /**
   * Checks the options; null {@code types} means any type.
   *
   * @throws IllegalArgumentException when {@code concurrency} is not from 1 to 10,000
   */
  public WorkerOptions {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(pollWait, "pollWait");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (concurrency < 1 || concurrency > 10_000) {
      throw new IllegalArgumentException("concurrency must be from 1 to 10000, got " + concurrency);
    }
    types = types == null ? Set.of() : Set.copyOf(types);
  }

  /**
   * Options with the defaults: the queue's default lease, heartbeats every third of it, claims that
   * wait up to 1 s, 30 s shutdown grace, any type.
   *
   * @param workerId recorded in each lease
   * @param concurrency jobs run at once, 1 to 10,000
   * @return the options
   */
  public static WorkerOptions of(String workerId, int concurrency) {
    return new WorkerOptions(
        workerId, concurrency, null, null, Duration.ofSeconds(1), Duration.ofSeconds(30), Set.of());
  }

  /**
   * The lease each claim asks for.
   *
   * @param d the lease; null for the queue default
   * @return a copy with it
   */
  public WorkerOptions withLease(Duration d) {
    return new WorkerOptions(
        workerId, concurrency, d, heartbeatInterval, pollWait, shutdownGrace, types);
  }

  /**
   * How often a running job's lease is extended.
   *
   * @param d the interval; null for a third of the lease
   * @return a copy with it
   */
  public WorkerOptions withHeartbeatInterval(Duration d) {
    return new WorkerOptions(workerId, concurrency, lease, d, pollWait, shutdownGrace, types);
  }

  /**
   * How long close() lets running handlers finish before interrupting them.
   *
   * @param d the grace period
   * @return a copy with it
   */
  public WorkerOptions withShutdownGrace(Duration d) {
    return new WorkerOptions(workerId, concurrency, lease, heartbeatInterval, pollWait, d, types);
  }

  /**
   * How long one claim waits for a job.
   *
   * @param d the wait
   * @return a copy with it
   */
  public WorkerOptions withPollWait(Duration d) {
    return new WorkerOptions(
        workerId, concurrency, lease, heartbeatInterval, d, shutdownGrace, types);
  }

  /**
   * Only jobs of these types.
   *
   * @param t the types; null or empty for any
   * @return a copy with them
   */
  public WorkerOptions withTypes(Set<String> t) {
    return new WorkerOptions(
        workerId, concurrency, lease, heartbeatInterval, pollWait, shutdownGrace, t);
  }
}
