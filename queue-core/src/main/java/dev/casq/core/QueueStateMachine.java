package dev.casq.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The queue's rules as a pure function of (state, command, now): every method validates its
 * command first and changes nothing when it throws; it does no I/O and reads no clock. Lease tokens
 * come from the injected supplier.
 */
public final class QueueStateMachine {
  private final QueuePolicy policy;
  private final Supplier<String> tokens;

  public QueueStateMachine(QueuePolicy policy, Supplier<String> tokens) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  public QueuePolicy policy() {
    return policy;
  }

  /**
   * Applies the passage of time: due jobs become ready, expired leases are released (the attempt
   * counts; a job out of attempts goes dead), old idempotency keys are forgotten.
   */
  public void tick(QueueState s, Instant now) {
    while (!s.leased.isEmpty() && !s.leased.first().lease().expiresAt().isAfter(now)) {
      Job job = s.leased.first();
      s.counters.expired++;
      String error = "lease of " + job.lease().worker() + " expired";
      if (job.attempts() >= job.maxAttempts()) {
        s.counters.dead++;
        s.finish(job, job.finished(JobStatus.DEAD, now, error, null), keyForgetAt(now),
            policy.maxRememberedKeys());
      } else {
        s.replaceLive(job, job.requeued(now, job.attempts(), error));
      }
    }
    s.promoteDue(now);
    s.forgetKeys(now);
  }

  /** Creates a job, or returns the existing one for a known idempotency key. */
  public PushResult push(QueueState s, PushRequest r, Instant now) {
    validatePush(r);
    tick(s, now);
    if (r.idempotencyKey() != null) {
      String existing = s.jobForKey(r.idempotencyKey());
      if (existing != null) {
        return new PushResult(existing, true);
      }
    }
    long seq = s.nextSeq++;
    Instant runAt =
        r.runAt() != null ? r.runAt() : r.delay() != null ? now.plus(r.delay()) : now;
    int maxAttempts = r.maxAttempts() != null ? r.maxAttempts() : policy.defaultMaxAttempts();
    Job job =
        new Job(jobId(seq), seq, r.type(), r.payloadJson(), r.priority() == null ? 0 : r.priority(),
            runAt, 0, maxAttempts, now, r.idempotencyKey(), JobStatus.QUEUED, null, null, null,
            null);
    s.addLive(job);
    s.promoteDue(now);
    s.counters.pushed++;
    return new PushResult(job.id(), false);
  }

  /** Leases up to {@code limit} ready jobs, highest priority first, FIFO within a priority. */
  public List<Job> claim(QueueState s, ClaimRequest r, Instant now) {
    requireText(r.worker(), "worker", QueuePolicy.MAX_WORKER_LENGTH);
    if (r.limit() < 1 || r.limit() > QueuePolicy.MAX_CLAIM_BATCH) {
      throw new InvalidRequestException(
          "limit must be from 1 to " + QueuePolicy.MAX_CLAIM_BATCH + ", got " + r.limit());
    }
    Duration lease = leaseDuration(r.lease());
    tick(s, now);
    List<Job> picked = new ArrayList<>(Math.min(r.limit(), 16));
    Iterator<Job> it = s.ready.iterator();
    while (it.hasNext() && picked.size() < r.limit()) {
      Job job = it.next();
      if (r.types().isEmpty() || (job.type() != null && r.types().contains(job.type()))) {
        picked.add(job);
      }
    }
    List<Job> claimed = new ArrayList<>(picked.size());
    for (Job job : picked) {
      Job leasedJob = job.leased(new Lease(r.worker(), tokens.get(), now.plus(lease)));
      s.replaceLive(job, leasedJob);
      s.counters.claimed++;
      claimed.add(leasedJob);
    }
    return claimed;
  }

  /** Extends a lease; returns the new lease. */
  public Lease heartbeat(QueueState s, String jobId, String token, Duration extend, Instant now) {
    Duration d = leaseDuration(extend);
    tick(s, now);
    Job job = leasedJob(s, jobId, token);
    Lease renewed = new Lease(job.lease().worker(), job.lease().token(), now.plus(d));
    s.replaceLive(job, job.withLease(renewed));
    return renewed;
  }

  /** Marks a leased job completed. */
  public Job complete(QueueState s, String jobId, String token, String resultJson, Instant now) {
    tick(s, now);
    Job job = leasedJob(s, jobId, token);
    Job done = job.finished(JobStatus.COMPLETED, now, null, resultJson);
    s.finish(job, done, keyForgetAt(now), policy.maxRememberedKeys());
    s.counters.completed++;
    return done;
  }

  /**
   * Reports a failed attempt: the job is retried after a backoff while attempts remain and {@code
   * retry} is true, otherwise it goes dead. Returns the job's new status.
   */
  public JobStatus fail(
      QueueState s, String jobId, String token, String error, boolean retry, Instant now) {
    String message = truncate(error == null ? "failed" : error, QueuePolicy.MAX_ERROR_LENGTH);
    tick(s, now);
    Job job = leasedJob(s, jobId, token);
    s.counters.failed++;
    if (retry && job.attempts() < job.maxAttempts()) {
      s.replaceLive(job, job.requeued(now.plus(policy.backoff(job.attempts())), job.attempts(),
          message));
      s.promoteDue(now);
      return JobStatus.QUEUED;
    }
    s.counters.dead++;
    s.finish(job, job.finished(JobStatus.DEAD, now, message, null), keyForgetAt(now),
        policy.maxRememberedKeys());
    return JobStatus.DEAD;
  }

  /** Gives a leased job back without counting the attempt (e.g. on worker shutdown). */
  public void release(QueueState s, String jobId, String token, Instant now) {
    tick(s, now);
    Job job = leasedJob(s, jobId, token);
    s.replaceLive(job, job.requeued(now, job.attempts() - 1, job.lastError()));
    s.promoteDue(now);
  }

  /** Cancels a live job (queued or leased); its lease, if any, becomes invalid. */
  public Job cancel(QueueState s, String jobId, Instant now) {
    tick(s, now);
    Job job = s.live.get(jobId);
    if (job == null) {
      throw new JobNotFoundException(jobId);
    }
    Job cancelled = job.finished(JobStatus.CANCELLED, now, "cancelled", null);
    s.finish(job, cancelled, keyForgetAt(now), policy.maxRememberedKeys());
    s.counters.cancelled++;
    return cancelled;
  }

  /** The live or not-yet-archived job with this id. */
  public Job get(QueueState s, String jobId) {
    Job job = s.live.get(jobId);
    if (job != null) {
      return job;
    }
    for (int i = s.finished.size() - 1; i >= 0; i--) {
      if (s.finished.get(i).id().equals(jobId)) {
        return s.finished.get(i);
      }
    }
    throw new JobNotFoundException(jobId);
  }

  /** Records a broker in the state (election decides when this is allowed). */
  public void setBroker(QueueState s, BrokerRecord broker) {
    s.modCount++;
    s.broker = broker;
  }

  /** A point-in-time summary. */
  public QueueStats stats(QueueState s, Instant now) {
    tick(s, now);
    return new QueueStats(s.revision, s.readyCount(), s.scheduledCount(), s.leasedCount(),
        s.finished.size(), s.rememberedKeys.size(), s.counters.copy(), s.broker, s.updatedAt);
  }

  static String jobId(long seq) {
    return "j" + seq;
  }

  private Instant keyForgetAt(Instant now) {
    return now.plus(policy.idempotencyRetention());
  }

  private Job leasedJob(QueueState s, String jobId, String token) {
    requireText(jobId, "job id", 64);
    requireText(token, "lease token", 256);
    Job job = s.live.get(jobId);
    if (job == null) {
      throw new JobNotFoundException(jobId);
    }
    if (job.status() != JobStatus.LEASED) {
      throw new LeaseRejectedException(
          "job " + jobId + " is not leased (its lease expired or was released)");
    }
    if (!constantTimeEquals(job.lease().token(), token)) {
      throw new LeaseRejectedException("wrong lease token for job " + jobId);
    }
    return job;
  }

  private Duration leaseDuration(Duration asked) {
    Duration d = asked == null ? policy.defaultLease() : asked;
    if (d.isNegative() || d.isZero() || d.compareTo(policy.maxLease()) > 0) {
      throw new InvalidRequestException(
          "lease must be positive and at most " + policy.maxLease() + ", got " + d);
    }
    return d;
  }

  private void validatePush(PushRequest r) {
    int bytes = utf8Length(r.payloadJson());
    if (bytes > policy.maxPayloadBytes()) {
      throw new PayloadTooLargeException(
          "payload is " + bytes + " bytes; the limit is " + policy.maxPayloadBytes());
    }
    if (r.payloadJson().isBlank()) {
      throw new InvalidRequestException("payload must be JSON, got an empty string");
    }
    if (r.type() != null) {
      requireText(r.type(), "type", QueuePolicy.MAX_TYPE_LENGTH);
    }
    if (r.idempotencyKey() != null) {
      requireText(r.idempotencyKey(), "idempotency key", QueuePolicy.MAX_KEY_LENGTH);
    }
    if (r.maxAttempts() != null && (r.maxAttempts() < 1 || r.maxAttempts() > 1000)) {
      throw new InvalidRequestException("maxAttempts must be from 1 to 1000, got " + r.maxAttempts());
    }
    if (r.priority() != null && Math.abs((long) r.priority()) > 1_000_000) {
      throw new InvalidRequestException("priority must be within +-1000000, got " + r.priority());
    }
    if (r.delay() != null && r.delay().isNegative()) {
      throw new InvalidRequestException("delay must not be negative, got " + r.delay());
    }
  }

  private static void requireText(String value, String what, int maxLength) {
    if (value == null || value.isBlank()) {
      throw new InvalidRequestException(what + " must not be empty");
    }
    if (value.length() > maxLength) {
      throw new InvalidRequestException(what + " is longer than " + maxLength + " characters");
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  static int utf8Length(String s) {
    int n = s.length();
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }

  static boolean constantTimeEquals(String a, String b) {
    return java.security.MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
