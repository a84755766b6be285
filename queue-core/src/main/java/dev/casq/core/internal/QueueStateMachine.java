package dev.casq.core.internal;

import dev.casq.api.ClaimRequest;
import dev.casq.api.IdempotencyBudgetException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.PayloadTooLargeException;
import dev.casq.api.PushResult;
import dev.casq.api.QueueException;
import dev.casq.core.QueuePolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The queue's rules as a pure function of (state, command, now): every method validates its command
 * and computes everything that can fail before it changes anything, so a command that throws
 * (always a {@link QueueException}) leaves the state as it was, apart from the passage of time
 * ({@link #tick}) that every command applies first and that the engine has already applied at the
 * same {@code now}. It does no I/O and reads no clock. Lease tokens come from the injected
 * supplier.
 */
public final class QueueStateMachine {
  private final QueuePolicy policy;
  private final Supplier<String> tokens;
  private final int pullChunk;

  /**
   * A machine that pulls jobs back from segments {@value #DEFAULT_PULL_CHUNK} at a time.
   *
   * @param policy the queue's policy (defaults and bounds)
   * @param tokens the source of lease tokens
   */
  public QueueStateMachine(QueuePolicy policy, Supplier<String> tokens) {
    this(policy, tokens, DEFAULT_PULL_CHUNK);
  }

  /**
   * A machine that moves jobs from a segment back into the head {@code pullChunk} at a time (at
   * least as many as a claim asks for).
   */
  public QueueStateMachine(QueuePolicy policy, Supplier<String> tokens, int pullChunk) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    if (pullChunk < 1) {
      throw new IllegalArgumentException("pullChunk must be >= 1");
    }
    this.pullChunk = pullChunk;
  }

  /** Jobs moved from a segment into the head at a time, by default. */
  public static final int DEFAULT_PULL_CHUNK = 1024;

  /**
   * The policy this machine applies.
   *
   * @return the policy
   */
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
        s.finish(job, job.finished(JobStatus.DEAD, now, error, null), keyForgetAt(now));
      } else {
        s.replaceLive(job, job.requeued(now, job.attempts(), error));
      }
    }
    s.promoteDue(now);
    s.forgetKeys(now);
    if (!s.schedules.isEmpty()) {
      fireSchedules(s, now);
    }
  }

  /** Creates a job, or returns the existing one for a known idempotency key. */
  public PushResult push(QueueState s, PushRequest r, Instant now) {
    String payload = validatePush(r);
    Instant runAt = runAt(r, now);
    tick(s, now);
    if (r.idempotencyKey() != null) {
      String existing = s.jobForKey(r.idempotencyKey(), now);
      if (existing != null) {
        return new PushResult(existing, true);
      }
      long held = s.keysHeld();
      if (held >= policy.idempotencyKeyCapacity()) {
        throw new IdempotencyBudgetException(
            held, policy.idempotencyMemoryBudget(), QueuePolicy.BYTES_PER_KEY);
      }
    }
    int maxAttempts = r.maxAttempts() != null ? r.maxAttempts() : policy.defaultMaxAttempts();
    long seq = s.nextSeq;
    Job job =
        new Job(
            jobId(seq),
            seq,
            r.type(),
            payload,
            r.priority() == null ? 0 : r.priority(),
            runAt,
            0,
            maxAttempts,
            now,
            r.idempotencyKey(),
            JobStatus.QUEUED,
            null,
            null,
            null,
            null);
    s.nextSeq++;
    s.addLive(job);
    s.promoteDue(now);
    s.counters.pushed++;
    return new PushResult(job.id(), false);
  }

  /**
   * Leases up to {@code limit} ready jobs, highest priority first, FIFO within a priority. A claim
   * with a request id that jobs still leased to the same worker were claimed with returns those
   * leases again, unchanged, and leases nothing else (a retried claim whose first answer was lost).
   */
  public List<Job> claim(QueueState s, ClaimRequest r, Instant now) {
    requireText(r.worker(), "worker", QueuePolicy.MAX_WORKER_LENGTH);
    if (r.requestId() != null) {
      requireText(r.requestId(), "requestId", QueuePolicy.MAX_CLAIM_REQUEST_ID_LENGTH);
    }
    if (r.limit() < 1 || r.limit() > QueuePolicy.MAX_CLAIM_BATCH) {
      throw new InvalidRequestException(
          "limit must be from 1 to " + QueuePolicy.MAX_CLAIM_BATCH + ", got " + r.limit());
    }
    if (r.types().size() > QueuePolicy.MAX_CLAIM_TYPES) {
      throw new InvalidRequestException(
          "a claim may name at most "
              + QueuePolicy.MAX_CLAIM_TYPES
              + " types, got "
              + r.types().size());
    }
    for (String type : r.types()) {
      requireText(type, "type", QueuePolicy.MAX_TYPE_LENGTH);
    }
    Instant expiresAt = Instants.saturatingPlus(now, leaseDuration(r.lease()));
    tick(s, now);
    if (r.requestId() != null) {
      List<Job> again = leasedBy(s, r.worker(), r.requestId());
      if (!again.isEmpty()) {
        return again;
      }
    }
    List<Job> picked = pick(s, r);
    // a segment whose next job comes before what the head offers is read into the head first
    for (QueueState.SegmentRef best = s.bestSegment(); best != null; best = s.bestSegment()) {
      if (picked.size() == r.limit() && !QueueState.before(best, picked.get(picked.size() - 1))) {
        break;
      }
      s.pull(best, Math.max(pullChunk, r.limit()));
      picked = pick(s, r);
    }
    List<Job> claimed = new ArrayList<>(picked.size());
    for (Job job : picked) {
      claimed.add(job.leased(new Lease(r.worker(), tokens.get(), expiresAt, r.requestId())));
    }
    for (int i = 0; i < picked.size(); i++) {
      s.replaceLive(picked.get(i), claimed.get(i));
      s.counters.claimed++;
    }
    return claimed;
  }

  /**
   * The jobs leased to {@code worker} by its claim {@code requestId}, in claim order. O(jobs
   * found), through the state's index of leases by claim.
   */
  private static List<Job> leasedBy(QueueState s, String worker, String requestId) {
    java.util.Set<String> ids = s.leasedBy(worker, requestId);
    if (ids.isEmpty()) {
      return List.of();
    }
    List<Job> found = new ArrayList<>(ids.size());
    for (String id : ids) {
      found.add(s.live.get(id));
    }
    if (found.size() > 1) {
      found.sort(QueueState.READY_ORDER);
    }
    return found;
  }

  private static List<Job> pick(QueueState s, ClaimRequest r) {
    List<Job> picked = new ArrayList<>(Math.min(r.limit(), 16));
    Iterator<Job> it = s.ready.iterator();
    while (it.hasNext() && picked.size() < r.limit()) {
      Job job = it.next();
      if (r.types().isEmpty() || (job.type() != null && r.types().contains(job.type()))) {
        picked.add(job);
      }
    }
    return picked;
  }

  /** Extends a lease; returns the new lease. */
  public Lease heartbeat(QueueState s, String jobId, String token, Duration extend, Instant now) {
    Instant expiresAt = Instants.saturatingPlus(now, leaseDuration(extend));
    requireJobAndToken(jobId, token);
    tick(s, now);
    Job job = leasedJob(s, jobId, token);
    Lease renewed = job.lease().extendedTo(expiresAt);
    s.replaceLive(job, job.withLease(renewed));
    return renewed;
  }

  /** Marks a leased job completed. */
  public Job complete(QueueState s, String jobId, String token, String resultJson, Instant now) {
    requireJobAndToken(jobId, token);
    String result = resultJson == null ? null : validJson(resultJson, "result");
    tick(s, now);
    Job job = leasedJob(s, jobId, token);
    Job done = job.finished(JobStatus.COMPLETED, now, null, result);
    s.finish(job, done, keyForgetAt(now));
    s.counters.completed++;
    return done;
  }

  /**
   * Reports a failed attempt: the job is retried after a backoff while attempts remain and {@code
   * retry} is true, otherwise it goes dead. Returns the job's new status.
   */
  public JobStatus fail(
      QueueState s, String jobId, String token, String error, boolean retry, Instant now) {
    requireJobAndToken(jobId, token);
    String message =
        TextRules.replaceLoneSurrogates(
            TextRules.truncate(error == null ? "failed" : error, QueuePolicy.MAX_ERROR_LENGTH));
    tick(s, now);
    Job job = leasedJob(s, jobId, token);
    if (retry && job.attempts() < job.maxAttempts()) {
      Instant retryAt = Instants.saturatingPlus(now, policy.backoff(job.attempts()));
      s.counters.failed++;
      s.replaceLive(job, job.requeued(retryAt, job.attempts(), message));
      s.promoteDue(now);
      return JobStatus.QUEUED;
    }
    s.counters.failed++;
    s.counters.dead++;
    s.finish(job, job.finished(JobStatus.DEAD, now, message, null), keyForgetAt(now));
    return JobStatus.DEAD;
  }

  /** Gives a leased job back without counting the attempt (e.g. on worker shutdown). */
  public void release(QueueState s, String jobId, String token, Instant now) {
    requireJobAndToken(jobId, token);
    tick(s, now);
    Job job = leasedJob(s, jobId, token);
    s.replaceLive(job, job.requeued(now, job.attempts() - 1, job.lastError()));
    s.promoteDue(now);
  }

  /** Cancels a live job (queued or leased); its lease, if any, becomes invalid. */
  public Job cancel(QueueState s, String jobId, Instant now) {
    requireText(jobId, "job id", QueuePolicy.MAX_JOB_ID_LENGTH);
    tick(s, now);
    Job job = s.live.get(jobId);
    if (job == null) {
      Job segmented = s.segmentedJob(jobId);
      if (segmented == null) {
        throw new JobNotFoundException(jobId);
      }
      Job cancelled = segmented.finished(JobStatus.CANCELLED, now, "cancelled", null);
      s.cancelSegmented(segmented, cancelled, keyForgetAt(now));
      s.counters.cancelled++;
      return cancelled;
    }
    Job cancelled = job.finished(JobStatus.CANCELLED, now, "cancelled", null);
    s.finish(job, cancelled, keyForgetAt(now));
    s.counters.cancelled++;
    return cancelled;
  }

  /** The live or not-yet-archived job with this id. */
  public Job get(QueueState s, String jobId) {
    requireText(jobId, "job id", QueuePolicy.MAX_JOB_ID_LENGTH);
    Job job = s.live.get(jobId);
    if (job != null) {
      return job;
    }
    int at = s.finishedIndex(jobId);
    if (at >= 0 && s.finished.get(at).status() != JobStatus.PURGED) {
      return s.finished.get(at);
    }
    Job segmented = at >= 0 ? null : s.segmentedJob(jobId);
    if (segmented != null) {
      return segmented;
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
    return new QueueStats(
        s.revision,
        s.readyCount(),
        s.scheduledCount(),
        s.leasedCount(),
        s.finished.size(),
        s.rememberedKeyCount(),
        s.counters.copy(),
        s.broker,
        s.updatedAt);
  }

  // ------------------------------------------------------------------ history and dead letters

  /** Where a job is as far as the state knows, for a lookup that goes on into the archives. */
  public record Located(Job job, boolean known) {
    /** The head knows nothing of the job: it was archived (or never existed). */
    static final Located UNKNOWN = new Located(null, false);
  }

  /**
   * The job if the state holds it (live, in a segment, or finished and not yet archived); {@code
   * known} with a null job when its newest record is that it was purged; {@link Located#UNKNOWN}
   * when only the archives can tell. Read-only.
   */
  public Located locate(QueueState s, String jobId) {
    requireJobId(jobId);
    Job job = s.live.get(jobId);
    if (job != null) {
      return new Located(job, true);
    }
    int at = s.finishedIndex(jobId);
    if (at >= 0) {
      Job f = s.finished.get(at);
      return new Located(f.status() == JobStatus.PURGED ? null : f, true);
    }
    Job segmented = s.segmentedJob(jobId);
    return segmented == null ? Located.UNKNOWN : new Located(segmented, true);
  }

  /**
   * Jobs of the state for one page of a list: those {@code filter} takes with a seq above a mark.
   */
  public record HeadPage(List<Job> jobs, boolean more, long lastSeq) {}

  /**
   * The jobs the state holds (live, in segments, finished and not yet archived; the newest record
   * of each) with a seq above {@code after} that {@code filter} takes, the {@code limit} lowest
   * seqs first; {@code more} when there were more. Read-only.
   */
  public HeadPage listHead(QueueState s, HistoryFilter filter, long after, int limit) {
    java.util.Map<Long, Job> newest = new java.util.HashMap<>();
    for (Job j : s.live.values()) {
      if (j.seq() > after) {
        newest.put(j.seq(), j);
      }
    }
    for (Job j : s.finished) {
      if (j.seq() > after && !s.live.containsKey(j.id())) {
        newest.put(j.seq(), j); // oldest first: a later record of the same job replaces it
      }
    }
    if (filter.status() == null || filter.status() == JobStatus.QUEUED) {
      for (Job j : s.segmentedJobsAfter(after)) {
        newest.putIfAbsent(j.seq(), j);
      }
    }
    List<Job> taken = new ArrayList<>();
    for (Job j : newest.values()) {
      if (filter.accepts(j)) {
        taken.add(j);
      }
    }
    taken.sort(java.util.Comparator.comparingLong(Job::seq));
    boolean more = taken.size() > limit;
    return new HeadPage(more ? List.copyOf(taken.subList(0, limit)) : taken, more, s.nextSeq - 1);
  }

  /**
   * Of archived records, the ids of those whose job the state holds a newer record of (live, in a
   * segment, or finished): they are not what the job is now. Read-only.
   */
  public java.util.Set<String> superseded(QueueState s, List<String> jobIds) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String id : jobIds) {
      if (s.live.containsKey(id) || s.finishedIndex(id) >= 0 || s.segmentedJob(id) != null) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * Puts a dead job back in the queue: queued, ready now, with its id, payload, type, priority, key
   * and push time, no attempts made and its last error kept. The dead record is the newest the
   * state holds (finished, not yet archived), else {@code archived}, the newest record the archives
   * hold (read by the caller; null when none).
   *
   * @return the queued job
   * @throws JobNotFoundException when no job has this id (or it was purged)
   * @throws InvalidRequestException when the job is not dead
   */
  public Job retryDead(QueueState s, String jobId, Job archived, Instant now) {
    requireJobId(jobId);
    tick(s, now);
    int at = s.finishedIndex(jobId);
    Job dead = deadRecord(s, jobId, at, archived);
    String key = dead.idempotencyKey();
    if (key != null) {
      String holder = s.jobForKey(key, now);
      if (holder != null && !holder.equals(jobId)) {
        key = null; // the key now belongs to another job
      }
    }
    Job again =
        new Job(
            dead.id(),
            dead.seq(),
            dead.type(),
            dead.payloadJson(),
            dead.priority(),
            now,
            0,
            dead.maxAttempts(),
            dead.createdAt(),
            key,
            JobStatus.QUEUED,
            null,
            dead.lastError(),
            null,
            null);
    if (at >= 0) {
      s.replaceFinished(at, null);
    }
    s.addLive(again);
    s.promoteDue(now);
    return again;
  }

  /**
   * Purges a dead job: its record in the state (or, for an archived one, a new record) says it was
   * purged, so that lookups and lists no longer find it; the record goes to the next archive, which
   * does not repeat its payload.
   *
   * @return the dead job as it was
   * @throws JobNotFoundException when no job has this id (or it was purged)
   * @throws InvalidRequestException when the job is not dead
   */
  public Job purgeDead(QueueState s, String jobId, Job archived, Instant now) {
    requireJobId(jobId);
    tick(s, now);
    int at = s.finishedIndex(jobId);
    Job dead = deadRecord(s, jobId, at, archived);
    Job purged =
        new Job(
            dead.id(),
            dead.seq(),
            dead.type(),
            "null",
            dead.priority(),
            dead.runAt(),
            dead.attempts(),
            dead.maxAttempts(),
            dead.createdAt(),
            null,
            JobStatus.PURGED,
            null,
            null,
            now,
            null);
    s.replaceFinished(at, purged);
    return dead;
  }

  private static Job deadRecord(QueueState s, String jobId, int finishedAt, Job archived) {
    Job job = s.live.get(jobId);
    if (job == null && finishedAt < 0) {
      job = s.segmentedJob(jobId);
    }
    if (job == null && finishedAt >= 0) {
      job = s.finished.get(finishedAt);
    }
    if (job == null && archived != null && archived.id().equals(jobId)) {
      job = archived;
    }
    if (job == null || job.status() == JobStatus.PURGED) {
      throw new JobNotFoundException(jobId);
    }
    if (job.status() != JobStatus.DEAD) {
      throw new InvalidRequestException(
          "job "
              + jobId
              + " is "
              + job.status().wireName()
              + ", not dead: only a dead job can be retried or purged");
    }
    return job;
  }

  private static void requireJobId(String jobId) {
    requireText(jobId, "job id", QueuePolicy.MAX_JOB_ID_LENGTH);
  }

  static String jobId(long seq) {
    return "j" + seq;
  }

  private Instant keyForgetAt(Instant now) {
    return Instants.saturatingPlus(now, policy.idempotencyRetention());
  }

  private static void requireJobAndToken(String jobId, String token) {
    requireText(jobId, "job id", QueuePolicy.MAX_JOB_ID_LENGTH);
    requireText(token, "lease token", QueuePolicy.MAX_TOKEN_LENGTH);
  }

  private Job leasedJob(QueueState s, String jobId, String token) {
    requireJobAndToken(jobId, token);
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

  /** Checks a push; returns its payload without the whitespace around the value. */
  private String validatePush(PushRequest r) {
    String payload = validJson(r.payloadJson(), "payload");
    if (r.type() != null) {
      requireText(r.type(), "type", QueuePolicy.MAX_TYPE_LENGTH);
    }
    if (r.idempotencyKey() != null) {
      requireText(r.idempotencyKey(), "idempotency key", QueuePolicy.MAX_KEY_LENGTH);
    }
    if (r.maxAttempts() != null
        && (r.maxAttempts() < 1 || r.maxAttempts() > QueuePolicy.MAX_ATTEMPTS)) {
      throw new InvalidRequestException(
          "maxAttempts must be from 1 to " + QueuePolicy.MAX_ATTEMPTS + ", got " + r.maxAttempts());
    }
    if (r.priority() != null && Math.abs((long) r.priority()) > QueuePolicy.MAX_PRIORITY) {
      throw new InvalidRequestException(
          "priority must be within +-" + QueuePolicy.MAX_PRIORITY + ", got " + r.priority());
    }
    return payload;
  }

  /** When a push may run: runAt, else now + delay, else now; each within the documented window. */
  private static Instant runAt(PushRequest r, Instant now) {
    if (r.runAt() != null) {
      Instant latest = Instants.saturatingPlus(now, QueuePolicy.MAX_SCHEDULE_AHEAD);
      if (r.runAt().isBefore(QueuePolicy.MIN_RUN_AT) || r.runAt().isAfter(latest)) {
        throw new InvalidRequestException(
            "runAt must be from "
                + QueuePolicy.MIN_RUN_AT
                + " to now + "
                + QueuePolicy.MAX_SCHEDULE_AHEAD.toDays()
                + " days, got "
                + r.runAt());
      }
      return r.runAt();
    }
    if (r.delay() != null) {
      if (r.delay().isNegative() || r.delay().compareTo(QueuePolicy.MAX_SCHEDULE_AHEAD) > 0) {
        throw new InvalidRequestException(
            "delay must be from 0 to "
                + QueuePolicy.MAX_SCHEDULE_AHEAD.toDays()
                + " days, got "
                + r.delay());
      }
      return Instants.saturatingPlus(now, r.delay());
    }
    return now;
  }

  /**
   * Checks the size and the text of a payload or result (its JSON syntax is checked before it is
   * submitted, see {@link JobQueue#validateJson}); returns it without surrounding whitespace, which
   * is exactly what the object keeps and gives back after any re-read.
   */
  private String validJson(String json, String what) {
    int bytes = TextRules.utf8Length(json);
    if (bytes < 0) {
      throw new InvalidRequestException(what + " is not valid Unicode (it holds a lone surrogate)");
    }
    if (bytes > policy.maxPayloadBytes()) {
      throw new PayloadTooLargeException(
          what + " is " + bytes + " bytes; the limit is " + policy.maxPayloadBytes());
    }
    String stripped = TextRules.stripJsonWhitespace(json);
    if (stripped.isEmpty()) {
      throw new InvalidRequestException(what + " must be JSON, got an empty string");
    }
    return stripped;
  }

  private static void requireText(String value, String what, int maxLength) {
    if (value == null || value.isBlank()) {
      throw new InvalidRequestException(what + " must not be empty");
    }
    if (value.length() > maxLength) {
      throw new InvalidRequestException(what + " is longer than " + maxLength + " characters");
    }
    TextRules.requireValidUnicode(value, what);
  }

  static boolean constantTimeEquals(String a, String b) {
    return java.security.MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------ recurring schedules

  /** The most schedules one queue holds. */
  public static final int MAX_SCHEDULES = 100;

  /** The largest payload of a schedule, in UTF-8 bytes (the queue object holds it). */
  public static final int MAX_SCHEDULE_PAYLOAD_BYTES = 64 * 1024;

  /**
   * Creates or replaces a schedule. Putting a schedule equal to the one held changes nothing (its
   * next fire stays); a changed one fires next at its first fire time after now.
   */
  public dev.casq.api.ScheduleInfo putSchedule(
      QueueState s, dev.casq.api.Schedule schedule, Instant now) {
    Objects.requireNonNull(schedule, "schedule");
    FireTimes times = FireTimes.of(schedule);
    String payload = validJson(schedule.payloadJson(), "payload");
    int bytes = TextRules.utf8Length(payload);
    if (bytes > MAX_SCHEDULE_PAYLOAD_BYTES) {
      throw new PayloadTooLargeException(
          "the payload of a schedule is "
              + bytes
              + " bytes; the limit is "
              + MAX_SCHEDULE_PAYLOAD_BYTES);
    }
    if (schedule.type() != null) {
      requireText(schedule.type(), "type", QueuePolicy.MAX_TYPE_LENGTH);
    }
    dev.casq.api.Schedule stored =
        new dev.casq.api.Schedule(
            schedule.name(),
            schedule.cron(),
            schedule.every(),
            schedule.zone(),
            payload,
            schedule.type(),
            schedule.priority(),
            schedule.maxAttempts(),
            schedule.misfire());
    tick(s, now);
    ScheduleEntry old = s.schedules.get(stored.name());
    if (old != null && old.schedule().equals(stored)) {
      return old.info();
    }
    if (old == null && s.schedules.size() >= MAX_SCHEDULES) {
      throw new InvalidRequestException(
          "the queue holds " + s.schedules.size() + " schedules, the limit; delete one first");
    }
    Instant next = times.nextAfter(now, now);
    if (next == null) {
      throw new InvalidRequestException(
          "schedule " + stored.name() + " never fires: '" + stored.cron() + "' matches no date");
    }
    ScheduleEntry entry =
        new ScheduleEntry(
            stored,
            now,
            next,
            old == null ? null : old.lastFireAt(),
            old == null ? null : old.lastJobId(),
            times);
    s.schedules.put(stored.name(), entry);
    s.modCount++;
    return entry.info();
  }

  /** Deletes a schedule; false when there is none of that name. */
  public boolean deleteSchedule(QueueState s, String name, Instant now) {
    requireText(name, "schedule name", dev.casq.api.Schedule.MAX_NAME_LENGTH);
    tick(s, now);
    if (s.schedules.remove(name) == null) {
      return false;
    }
    s.modCount++;
    return true;
  }

  /** The queue's schedules, by name. */
  public List<dev.casq.api.ScheduleInfo> schedules(QueueState s, Instant now) {
    tick(s, now);
    List<dev.casq.api.ScheduleInfo> out = new ArrayList<>(s.schedules.size());
    for (ScheduleEntry e : s.schedules.values()) {
      out.add(e.info());
    }
    return out;
  }

  /**
   * Pushes a job for every schedule that is due and moves it to its next fire after now: one job
   * however many fires were missed ({@code FIRE_ONCE}), or none when the fire is more than {@link
   * dev.casq.api.Schedule#MISFIRE_THRESHOLD} late ({@code SKIP}). The job's idempotency key is
   * derived from the schedule's name and the fire time, so a fire pushes one job.
   */
  private void fireSchedules(QueueState s, Instant now) {
    List<ScheduleEntry> due = new ArrayList<>();
    for (ScheduleEntry e : s.schedules.values()) {
      if (e.nextFireAt() != null && !e.nextFireAt().isAfter(now)) {
        due.add(e);
      }
    }
    for (ScheduleEntry e : due) {
      Instant fireAt = e.nextFireAt();
      boolean late =
          Duration.between(fireAt, now).compareTo(dev.casq.api.Schedule.MISFIRE_THRESHOLD) > 0;
      if (late && e.schedule().misfire() == dev.casq.api.Schedule.Misfire.SKIP) {
        Instant recent = e.nextAfter(now.minus(dev.casq.api.Schedule.MISFIRE_THRESHOLD));
        fireAt = recent != null && !recent.isAfter(now) ? recent : null;
      }
      String jobId = fireAt == null ? null : fireJob(s, e, fireAt, now);
      s.schedules.put(e.schedule().name(), e.fired(fireAt, jobId, e.nextAfter(now)));
      s.modCount++;
    }
  }

  /** Pushes the job of one fire, or finds the one already pushed for it. */
  private String fireJob(QueueState s, ScheduleEntry e, Instant fireAt, Instant now) {
    dev.casq.api.Schedule d = e.schedule();
    String key = ScheduleEntry.key(d.name(), fireAt);
    String existing = s.jobForKey(key, now);
    if (existing != null) {
      return existing;
    }
    long seq = s.nextSeq;
    Job job =
        new Job(
            jobId(seq),
            seq,
            d.type(),
            d.payloadJson(),
            d.priority(),
            now,
            0,
            d.maxAttempts() != null ? d.maxAttempts() : policy.defaultMaxAttempts(),
            now,
            key,
            JobStatus.QUEUED,
            null,
            null,
            null,
            null);
    s.nextSeq++;
    s.addLive(job);
    s.promoteDue(now);
    s.counters.pushed++;
    return job.id();
  }
}
