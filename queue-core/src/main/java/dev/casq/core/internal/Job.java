package dev.casq.core.internal;

import java.time.Instant;
import java.util.Objects;

/**
 * One job, immutable. A change of state produces a new {@code Job}. The payload (and the result,
 * for completed jobs) is kept as JSON text exactly as pushed.
 *
 * <p>Each instance caches its own JSON encoding, so a commit re-encodes only the jobs that changed
 * since the previous commit and copies the bytes of all others.
 */
public final class Job {
  private final String id;
  private final long seq;
  private final String type;
  private final String payloadJson;
  private final int priority;
  private final Instant runAt;
  private final int attempts;
  private final int maxAttempts;
  private final Instant createdAt;
  private final String idempotencyKey;
  private final JobStatus status;
  private final Lease lease;
  private final String lastError;
  private final Instant finishedAt;
  private final String resultJson;

  private String heldIn; // the leased-jobs object holding this very version, or null (in the head)
  private byte[] encoded; // benign race: any thread computing it computes the same bytes
  private byte[] tail; // encoding of the fields no change of state touches, shared by all versions

  Job(
      String id,
      long seq,
      String type,
      String payloadJson,
      int priority,
      Instant runAt,
      int attempts,
      int maxAttempts,
      Instant createdAt,
      String idempotencyKey,
      JobStatus status,
      Lease lease,
      String lastError,
      Instant finishedAt,
      String resultJson) {
    this.id = Objects.requireNonNull(id, "id");
    this.seq = seq;
    this.type = type;
    this.payloadJson = Objects.requireNonNull(payloadJson, "payload");
    this.priority = priority;
    this.runAt = Objects.requireNonNull(runAt, "runAt");
    this.attempts = attempts;
    this.maxAttempts = maxAttempts;
    this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
    this.idempotencyKey = idempotencyKey;
    this.status = Objects.requireNonNull(status, "status");
    this.lease = lease;
    this.lastError = lastError;
    this.finishedAt = finishedAt;
    this.resultJson = resultJson;
    if ((status == JobStatus.LEASED) != (lease != null)) {
      throw new IllegalStateException("job " + id + ": a lease exists iff the job is leased");
    }
  }

  /**
   * The job id, {@code j<seq>}: unique within the queue and never reused.
   *
   * @return the job id
   */
  public String id() {
    return id;
  }

  /** Position in push order; also the tie-breaker of FIFO order. */
  public long seq() {
    return seq;
  }

  /** Optional job type that workers may filter on; null when none. */
  public String type() {
    return type;
  }

  /**
   * The payload as the JSON text it was pushed with, byte for byte.
   *
   * @return the payload JSON
   */
  public String payloadJson() {
    return payloadJson;
  }

  /**
   * Priority: among due jobs a higher priority is claimed first; 0 unless the push set one.
   *
   * @return the priority
   */
  public int priority() {
    return priority;
  }

  /**
   * The time before which the job is not claimable: the push time unless the push delayed it, later
   * after a retry with back-off.
   *
   * @return the earliest time a worker may claim the job
   */
  public Instant runAt() {
    return runAt;
  }

  /** How many times the job was claimed. */
  public int attempts() {
    return attempts;
  }

  /**
   * How many claims the job gets: once {@link #attempts()} has reached this, a failed attempt or an
   * expired lease makes the job {@link JobStatus#DEAD dead} instead of queuing it again (a failure
   * without retry ends it earlier).
   *
   * @return the attempt limit
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * When the job was pushed (the time of the commit that created it).
   *
   * @return the push time
   */
  public Instant createdAt() {
    return createdAt;
  }

  /**
   * The idempotency key the job was pushed with, or null: while the key is remembered, a push with
   * the same key returns this job instead of creating another.
   *
   * @return the idempotency key, or null
   */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /**
   * Where the job is in its life.
   *
   * @return the status
   */
  public JobStatus status() {
    return status;
  }

  /**
   * The lease of the worker that holds the job: non-null exactly when the status is {@link
   * JobStatus#LEASED}.
   *
   * @return the lease, or null
   */
  public Lease lease() {
    return lease;
  }

  /**
   * The error of the most recent failed attempt or expired lease (kept when the job is queued
   * again), or null if no attempt failed.
   *
   * @return the last error, or null
   */
  public String lastError() {
    return lastError;
  }

  /**
   * When the job reached a finished status (completed, dead or cancelled); null while it is queued
   * or leased.
   *
   * @return the finish time, or null
   */
  public Instant finishedAt() {
    return finishedAt;
  }

  /**
   * The result JSON a worker completed the job with, exactly as sent; null unless the job is
   * completed with a result.
   *
   * @return the result JSON, or null
   */
  public String resultJson() {
    return resultJson;
  }

  Job leased(Lease newLease) {
    return inherit(
        new Job(
            id,
            seq,
            type,
            payloadJson,
            priority,
            runAt,
            attempts + 1,
            maxAttempts,
            createdAt,
            idempotencyKey,
            JobStatus.LEASED,
            newLease,
            lastError,
            null,
            null));
  }

  Job withLease(Lease newLease) {
    return inherit(
        new Job(
            id,
            seq,
            type,
            payloadJson,
            priority,
            runAt,
            attempts,
            maxAttempts,
            createdAt,
            idempotencyKey,
            JobStatus.LEASED,
            newLease,
            lastError,
            null,
            null));
  }

  Job requeued(Instant newRunAt, int newAttempts, String error) {
    return inherit(
        new Job(
            id,
            seq,
            type,
            payloadJson,
            priority,
            newRunAt,
            newAttempts,
            maxAttempts,
            createdAt,
            idempotencyKey,
            JobStatus.QUEUED,
            null,
            error,
            null,
            null));
  }

  Job finished(JobStatus finalStatus, Instant at, String error, String result) {
    if (!finalStatus.isFinished()) {
      throw new IllegalArgumentException(finalStatus + " is not a final status");
    }
    return inherit(
        new Job(
            id,
            seq,
            type,
            payloadJson,
            priority,
            runAt,
            attempts,
            maxAttempts,
            createdAt,
            idempotencyKey,
            finalStatus,
            null,
            error,
            at,
            result));
  }

  /**
   * This version of a leased job, held in the leased-jobs object {@code objectKey} instead of the
   * queue object (same fields, same encoding), or back in the queue object when {@code objectKey}
   * is null. Any change of the job makes a new version that is in the queue object again.
   */
  Job heldIn(String objectKey) {
    if (status != JobStatus.LEASED) {
      throw new IllegalStateException(
          "job " + id + " is " + status + ", only leased jobs move out");
    }
    Job held =
        new Job(
            id,
            seq,
            type,
            payloadJson,
            priority,
            runAt,
            attempts,
            maxAttempts,
            createdAt,
            idempotencyKey,
            status,
            lease,
            lastError,
            finishedAt,
            resultJson);
    held.tail = tail;
    held.encoded = encoded;
    held.heldIn = objectKey;
    return held;
  }

  /**
   * The key of the leased-jobs object that holds this version of the job (see
   * docs/state-format.md), or null when the queue object holds it.
   */
  String heldIn() {
    return heldIn;
  }

  private Job inherit(Job next) {
    next.tail = tail;
    return next;
  }

  byte[] cachedTail() {
    return tail;
  }

  void cacheTail(byte[] bytes) {
    tail = bytes;
  }

  byte[] cachedEncoding() {
    return encoded;
  }

  void cacheEncoding(byte[] bytes) {
    encoded = bytes;
  }

  @Override
  public String toString() {
    return "Job["
        + id
        + " "
        + status.wireName()
        + " p="
        + priority
        + " attempts="
        + attempts
        + "/"
        + maxAttempts
        + "]";
  }
}
