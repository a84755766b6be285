package dev.casq.api;

import java.time.Instant;

/**
 * A job leased to the caller: what {@link Queue#claim} returns and what a {@link JobHandler} runs,
 * for an embedded queue and a broker's alike.
 *
 * @param id the job id
 * @param payload the payload converted to the queue's type
 * @param payloadJson the payload as JSON text, exactly as pushed
 * @param leaseToken proof of the lease; needed to heartbeat, complete, fail or release
 * @param leaseExpiresAt when the lease runs out unless extended (the clock of the process that
 *     commits: the embedded queue's, or the broker's)
 * @param attempts how many times the job was claimed, this time included
 * @param maxAttempts attempts before the job goes dead
 * @param type the job type, or null
 * @param priority the job priority
 * @param cancellation signalled when a {@link Worker} running this job loses its lease or shuts
 *     down; a handler checks {@code job.leaseLost()} or {@code job.isCancelled()}
 */
public record LeasedJob<T>(
    String id,
    T payload,
    String payloadJson,
    String leaseToken,
    Instant leaseExpiresAt,
    int attempts,
    int maxAttempts,
    String type,
    int priority,
    Cancellation cancellation) {

  /** Checks the job; a null {@code cancellation} becomes one that nothing has cancelled. */
  public LeasedJob {
    cancellation = cancellation == null ? new Cancellation() : cancellation;
  }

  /** A leased job that nothing has cancelled yet. */
  public LeasedJob(
      String id,
      T payload,
      String payloadJson,
      String leaseToken,
      Instant leaseExpiresAt,
      int attempts,
      int maxAttempts,
      String type,
      int priority) {
    this(
        id,
        payload,
        payloadJson,
        leaseToken,
        leaseExpiresAt,
        attempts,
        maxAttempts,
        type,
        priority,
        new Cancellation());
  }

  /**
   * The same job watched by {@code c} (how a worker hands it to its handler).
   *
   * @param c the cancellation the worker signals
   * @return the job with it
   */
  public LeasedJob<T> withCancellation(Cancellation c) {
    return new LeasedJob<>(
        id,
        payload,
        payloadJson,
        leaseToken,
        leaseExpiresAt,
        attempts,
        maxAttempts,
        type,
        priority,
        c);
  }

  /** Shortcut for {@code cancellation().leaseLost()}: the outcome of this job will not count. */
  public boolean leaseLost() {
    return cancellation.leaseLost();
  }

  /** Shortcut for {@code cancellation().isCancelled()}: the handler should stop. */
  public boolean isCancelled() {
    return cancellation.isCancelled();
  }

  /** Id, type, payload, attempts and lease expiry; not the lease token (it grants the lease). */
  @Override
  public String toString() {
    return "LeasedJob{id="
        + id
        + (type != null ? ", type=" + type : "")
        + ", payload="
        + payload
        + ", attempts="
        + attempts
        + "/"
        + maxAttempts
        + ", priority="
        + priority
        + ", leaseExpiresAt="
        + leaseExpiresAt
        + "}";
  }
}
