package dev.casq.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A typed queue: payloads of type {@code T}, converted to and from JSON. The same interface for a
 * queue embedded in the process ({@code dev.casq.core.Casq.open(storeUri, Type.class)}, module
 * queue-core) and for one served by a broker ({@code
 * dev.casq.client.CasqClient.builder()...build().queue(Type.class)}, module queue-client): a
 * program switches between the two by changing only how it opens the queue.
 *
 * <p>Blocking methods wait for the outcome (the commit, or the broker's answer); the {@code
 * ...Async} variants return futures and never block. Every error is a {@link CasqException}; the
 * two implementations raise the same subclasses for the same outcome (docs/api.md).
 *
 * <p>Closing the queue stops its engine (embedded) or its client (broker).
 *
 * @param <T> the payload type
 */
public interface Queue<T> extends AutoCloseable {

  // ------------------------------------------------------------------ push

  /**
   * Pushes a job and returns its id once it is durable.
   *
   * @param payload the job's payload, converted to JSON
   * @return the new job's id
   */
  default String push(T payload) {
    return push(payload, PushOptions.none()).jobId();
  }

  /**
   * Pushes with options (key, priority, delay, type, attempts) once it is durable.
   *
   * @param payload the job's payload, converted to JSON
   * @param options the push's options; {@link PushOptions#none()} for none
   * @return the job's id, and whether an earlier push with the same key created it
   */
  PushResult push(T payload, PushOptions options);

  /**
   * Pushes a job; the future completes once it is durable.
   *
   * @param payload the job's payload, converted to JSON
   * @return the job's id and duplicate flag
   */
  default CompletableFuture<PushResult> pushAsync(T payload) {
    return pushAsync(payload, PushOptions.none());
  }

  /**
   * Pushes with options; the future completes once the job is durable.
   *
   * @param payload the job's payload, converted to JSON
   * @param options the push's options
   * @return the job's id and duplicate flag
   */
  CompletableFuture<PushResult> pushAsync(T payload, PushOptions options);

  /**
   * Pushes many jobs; each gets its own generated idempotency key.
   *
   * @param payloads the jobs' payloads
   * @return one result per payload, in order
   * @throws BatchPushException when some were rejected (the others were pushed)
   */
  default List<PushResult> pushAll(List<? extends T> payloads) {
    return pushAll(payloads, PushOptions.none());
  }

  /**
   * Pushes many jobs with the same options (priority, delay, type...); each gets its own generated
   * idempotency key, so the options must not hold one.
   *
   * @param payloads the jobs' payloads
   * @param options applied to every job
   * @return one result per payload, in order
   * @throws BatchPushException when some were rejected (the others were pushed)
   */
  List<PushResult> pushAll(List<? extends T> payloads, PushOptions options);

  /**
   * Pushes many jobs with the same options; each gets its own generated idempotency key.
   *
   * @param payloads the jobs' payloads
   * @param options applied to every job; they must not hold a key
   * @return one result per payload, in order; fails with {@link BatchPushException} when some were
   *     rejected (the others were pushed)
   */
  CompletableFuture<List<PushResult>> pushAllAsync(List<? extends T> payloads, PushOptions options);

  // ------------------------------------------------------------------ claim

  /**
   * Claims one job that is ready now, if there is one.
   *
   * @param worker the worker id recorded in the lease
   * @return the leased job, or empty when none is ready
   */
  default Optional<LeasedJob<T>> claim(String worker) {
    List<LeasedJob<T>> got = claim(ClaimRequest.one(worker), Duration.ZERO);
    return got.isEmpty() ? Optional.empty() : Optional.of(got.get(0));
  }

  /**
   * Claims one job that is ready now, if there is one.
   *
   * @param worker the worker id recorded in the lease
   * @return the leased job, or empty when none is ready
   */
  default CompletableFuture<Optional<LeasedJob<T>>> claimAsync(String worker) {
    return claimAsync(ClaimRequest.one(worker), Duration.ZERO)
        .thenApply(got -> got.isEmpty() ? Optional.empty() : Optional.of(got.get(0)));
  }

  /**
   * Claims up to {@code request.limit()} jobs, waiting up to {@code wait} for one (long poll).
   *
   * @param request worker, lease, limit and types
   * @param wait how long to wait when no job is ready (at most 60 s through a broker)
   * @return the leased jobs, empty when none became ready in time
   */
  List<LeasedJob<T>> claim(ClaimRequest request, Duration wait);

  /**
   * Claims up to {@code request.limit()} jobs, waiting up to {@code wait} for one (long poll).
   *
   * @param request worker, lease, limit and types
   * @param wait how long to wait when no job is ready
   * @return the leased jobs, empty when none became ready in time
   */
  CompletableFuture<List<LeasedJob<T>>> claimAsync(ClaimRequest request, Duration wait);

  // ------------------------------------------------------------------ leased jobs

  /**
   * Extends the lease by the queue's default lease.
   *
   * @param job a job this caller holds
   * @return the new expiry
   */
  default Instant heartbeat(LeasedJob<T> job) {
    return heartbeat(job, null);
  }

  /**
   * Extends the lease to now + {@code extendBy}.
   *
   * @param job a job this caller holds
   * @param extendBy the new lease from now; null for the queue's default lease
   * @return the new expiry
   */
  Instant heartbeat(LeasedJob<T> job, Duration extendBy);

  /**
   * Extends the lease to now + {@code extendBy}.
   *
   * @param job a job this caller holds
   * @param extendBy the new lease from now; null for the queue's default lease
   * @return the new expiry
   */
  CompletableFuture<Instant> heartbeatAsync(LeasedJob<T> job, Duration extendBy);

  /**
   * Completes the job once the completion is durable.
   *
   * @param job a job this caller holds
   */
  default void complete(LeasedJob<T> job) {
    complete(job, null);
  }

  /**
   * Completes with a result that is kept with the archived job.
   *
   * @param job a job this caller holds
   * @param result converted to JSON; null for none
   */
  void complete(LeasedJob<T> job, Object result);

  /**
   * Completes the job.
   *
   * @param job a job this caller holds
   * @return completes once the completion is durable
   */
  default CompletableFuture<Void> completeAsync(LeasedJob<T> job) {
    return completeAsync(job, null);
  }

  /**
   * Completes with a result that is kept with the archived job.
   *
   * @param job a job this caller holds
   * @param result converted to JSON; null for none
   * @return completes once the completion is durable
   */
  CompletableFuture<Void> completeAsync(LeasedJob<T> job, Object result);

  /**
   * Completes many jobs this caller holds, without results, in one go: an embedded queue applies
   * them all to the same write (group commit); a broker's client sends one request per {@code
   * dev.casq.wire.WireLimits.MAX_COMPLETE_BATCH} (1000) jobs. Each job is decided on its own, as
   * {@link #complete(LeasedJob)} would decide it: one job's refusal (its lease expired or was
   * taken, its token is wrong, no live job has its id) leaves that job as it was and does not
   * affect the others. To keep a result with a job, complete it with {@link #complete(LeasedJob,
   * Object)}.
   *
   * <p>Returns normally when every job was completed (the completions are durable). When some were
   * refused it throws {@link BatchCompleteException}, whose {@link BatchCompleteException#errors()}
   * gives each refused job's error by its position in {@code jobs}; every other job was completed.
   * Any other error (the queue closed, storage or the broker unavailable, a commit whose outcome is
   * unknown) is thrown as such, and then any of the jobs may or may not have been completed:
   * completing them again is safe (a job already completed is refused as not found).
   *
   * @param jobs the jobs, each at most once (the same id twice is an {@link
   *     InvalidRequestException} and nothing is completed); empty does nothing
   * @throws BatchCompleteException when some jobs were refused (the others were completed)
   */
  void completeAll(List<? extends LeasedJob<T>> jobs);

  /**
   * Completes many jobs this caller holds, without results, in one go; see {@link
   * #completeAll(List)}.
   *
   * @param jobs the jobs, each at most once
   * @return completes once every completion is durable; fails with {@link BatchCompleteException}
   *     when some jobs were refused (the others were completed)
   */
  CompletableFuture<Void> completeAllAsync(List<? extends LeasedJob<T>> jobs);

  /**
   * Reports a failed attempt; the job is retried with backoff while attempts remain.
   *
   * @param job a job this caller holds
   * @param error what went wrong, kept with the job
   * @return the job's status now: {@link JobStatus#QUEUED} (retried later) or {@link
   *     JobStatus#DEAD}
   */
  JobStatus fail(LeasedJob<T> job, String error);

  /**
   * Reports a failure that must not be retried: the job goes dead.
   *
   * @param job a job this caller holds
   * @param error what went wrong, kept with the job
   * @return {@link JobStatus#DEAD}
   */
  JobStatus failPermanently(LeasedJob<T> job, String error);

  /**
   * Reports a failed attempt; the job is retried with backoff while attempts remain.
   *
   * @param job a job this caller holds
   * @param error what went wrong, kept with the job
   * @return the job's status once the failure is durable: QUEUED or DEAD
   */
  default CompletableFuture<JobStatus> failAsync(LeasedJob<T> job, String error) {
    return failAsync(job, error, true);
  }

  /**
   * Reports a failure that must not be retried: the job goes dead.
   *
   * @param job a job this caller holds
   * @param error what went wrong, kept with the job
   * @return the job's status once the failure is durable: DEAD
   */
  default CompletableFuture<JobStatus> failPermanentlyAsync(LeasedJob<T> job, String error) {
    return failAsync(job, error, false);
  }

  /**
   * Reports a failed attempt.
   *
   * @param job a job this caller holds
   * @param error what went wrong, kept with the job
   * @param retry false to make the job dead at once
   * @return the job's status once the failure is durable: QUEUED or DEAD
   */
  CompletableFuture<JobStatus> failAsync(LeasedJob<T> job, String error, boolean retry);

  /**
   * Gives the job back without counting the attempt.
   *
   * @param job a job this caller holds
   */
  void release(LeasedJob<T> job);

  /**
   * Gives the job back without counting the attempt.
   *
   * @param job a job this caller holds
   * @return completes once the release is durable
   */
  CompletableFuture<Void> releaseAsync(LeasedJob<T> job);

  /**
   * Cancels a job that has not finished.
   *
   * @param jobId the job's id
   */
  void cancel(String jobId);

  /**
   * Cancels a job that has not finished.
   *
   * @param jobId the job's id
   * @return completes once the cancellation is durable
   */
  CompletableFuture<Void> cancelAsync(String jobId);

  // ------------------------------------------------------------------ reads

  /**
   * The job wherever it is: waiting, leased, finished, or archived long ago.
   *
   * @param jobId the job's id
   * @return the job
   * @throws JobNotFoundException when no job has this id (or it was purged)
   */
  JobInfo<T> get(String jobId);

  /**
   * The job wherever it is: waiting, leased, finished, or archived long ago.
   *
   * @param jobId the job's id
   * @return the job; fails with {@link JobNotFoundException} when no job has this id
   */
  CompletableFuture<JobInfo<T>> getAsync(String jobId);

  /**
   * A summary of the queue now.
   *
   * @return jobs by state and the counters since the queue was created
   */
  QueueStats stats();

  /**
   * A summary of the queue now.
   *
   * @return jobs by state and the counters since the queue was created
   */
  CompletableFuture<QueueStats> statsAsync();

  // ------------------------------------------------------------------ history and dead letters

  /**
   * One page of the jobs {@code filter} takes, live and archived, in id (push) order.
   *
   * @param filter which jobs; {@link JobFilter#all()} for all
   * @param cursor null for the first page, else the {@link JobPage#nextCursor()} of the previous
   * @param limit at most this many jobs, from 1 to 1000
   * @return the page
   * @throws InvalidRequestException for a cursor no list returned, or a limit out of range
   */
  JobPage<T> list(JobFilter filter, String cursor, int limit);

  /**
   * Puts a dead job back in the queue: queued and ready now, with the same id and the payload
   * exactly as pushed, no attempts made (its last error is kept until it fails again).
   *
   * @param jobId the dead job
   * @throws JobNotFoundException when no job has this id (or it was purged)
   * @throws InvalidRequestException when the job is not dead
   */
  void retry(String jobId);

  /**
   * Retries every dead job {@code filter} takes ({@link JobFilter#dead()} for all).
   *
   * @param filter which dead jobs; its status must be null or {@link JobStatus#DEAD}
   * @return how many were retried
   */
  int retry(JobFilter filter);

  /**
   * Purges a dead job: {@link #get} and {@link #list} no longer find it.
   *
   * @param jobId the dead job
   * @throws JobNotFoundException when no job has this id (or it was purged already)
   * @throws InvalidRequestException when the job is not dead
   */
  void purge(String jobId);

  /**
   * Purges every dead job {@code filter} takes ({@link JobFilter#dead()} for all).
   *
   * @param filter which dead jobs; its status must be null or {@link JobStatus#DEAD}
   * @return how many were purged
   */
  int purge(JobFilter filter);

  // ------------------------------------------------------------------ workers

  /**
   * Starts a worker that claims jobs (of {@link WorkerOptions#types()}, or any) and runs {@code
   * handler} on each, with automatic heartbeats; close it to stop.
   *
   * @param handler runs once per job: returning completes it, throwing fails the attempt
   * @param options worker id, concurrency, lease, heartbeat interval, poll wait, shutdown grace
   * @return the running worker
   */
  Worker worker(JobHandler<T> handler, WorkerOptions options);

  /**
   * Starts a worker that claims only jobs of the types {@code handlers} registers and runs each
   * with its type's handler, its payload converted to that type's class; close it to stop.
   *
   * @param handlers the handler of each type
   * @param options worker id, concurrency, lease, heartbeat interval, poll wait, shutdown grace;
   *     their {@code types} must be empty or the registered types
   * @return the running worker
   * @throws IllegalArgumentException when no handler is registered, or the options name other types
   */
  Worker worker(JobHandlers handlers, WorkerOptions options);

  /** Closes the queue: stops its engine (embedded) or its client (broker). */
  @Override
  void close();

  // ------------------------------------------------------------------ recurring schedules

  /**
   * Creates or replaces a recurring schedule: the queue pushes a job each time it fires, exactly
   * once per fire across failovers. Putting the schedule the queue already holds changes nothing
   * (its next fire stays), so an application may put its schedules at every start.
   *
   * @param schedule the schedule
   * @return the schedule as the queue holds it, with its next fire time
   * @throws InvalidRequestException for a bad cron expression, a time zone, or too many schedules
   * @throws PayloadTooLargeException for a payload over the schedule limit (64 KiB)
   */
  ScheduleInfo putSchedule(Schedule schedule);

  /**
   * The asynchronous form of {@link #putSchedule}.
   *
   * @param schedule the schedule
   * @return completes with the schedule as the queue holds it
   */
  CompletableFuture<ScheduleInfo> putScheduleAsync(Schedule schedule);

  /**
   * Deletes a recurring schedule; the jobs it already pushed stay.
   *
   * @param name the schedule's name
   * @return false when the queue holds no schedule of that name
   */
  boolean deleteSchedule(String name);

  /**
   * The asynchronous form of {@link #deleteSchedule}.
   *
   * @param name the schedule's name
   * @return completes with false when the queue holds no schedule of that name
   */
  CompletableFuture<Boolean> deleteScheduleAsync(String name);

  /**
   * The queue's recurring schedules, by name, with their next fire times.
   *
   * @return the schedules
   */
  List<ScheduleInfo> schedules();

  /**
   * The asynchronous form of {@link #schedules}.
   *
   * @return completes with the schedules
   */
  CompletableFuture<List<ScheduleInfo>> schedulesAsync();
}
