package dev.casq.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link Worker} runs.
 *
 * @param workerId recorded in each lease
 * @param concurrency jobs run at once
 * @param lease lease duration asked for; null for the queue default
 * @param heartbeatInterval how often a running job's lease is extended; null for a third of the
 *     lease
 * @param pollWait how long one claim waits for a job (long poll)
 * @param shutdownGrace how long close() lets signalled handlers finish before interrupting them;
 *     a job whose handler still runs after that is not released (its lease is left to expire)
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

  public WorkerOptions {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(pollWait, "pollWait");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (concurrency < 1 || concurrency > 10_000) {
      throw new InvalidRequestException("concurrency must be from 1 to 10000, got " + concurrency);
    }
    types = types == null ? Set.of() : Set.copyOf(types);
  }

  public static WorkerOptions of(String workerId, int concurrency) {
    return new WorkerOptions(workerId, concurrency, null, null, Duration.ofSeconds(1),
        Duration.ofSeconds(30), Set.of());
  }

  public WorkerOptions withLease(Duration d) {
    return new WorkerOptions(workerId, concurrency, d, heartbeatInterval, pollWait, shutdownGrace,
        types);
  }

  public WorkerOptions withHeartbeatInterval(Duration d) {
    return new WorkerOptions(workerId, concurrency, lease, d, pollWait, shutdownGrace, types);
  }

  public WorkerOptions withShutdownGrace(Duration d) {
    return new WorkerOptions(workerId, concurrency, lease, heartbeatInterval, pollWait, d, types);
  }

  public WorkerOptions withPollWait(Duration d) {
    return new WorkerOptions(workerId, concurrency, lease, heartbeatInterval, d, shutdownGrace,
        types);
  }
}
