package dev.casq.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A typed queue: payloads of type {@code T} converted with Jackson. Blocking methods wait for the
 * commit; the {@code ...Async} variants return futures. Obtain one with {@link Casq#open}.
 */
public final class Queue<T> implements AutoCloseable {
  private final JobQueue jobs;
  private final ObjectMapper mapper;
  private final JavaType type;

  Queue(JobQueue jobs, ObjectMapper mapper, JavaType type) {
    this.jobs = jobs;
    this.mapper = mapper;
    this.type = type;
  }

  /** The untyped queue underneath. */
  public JobQueue jobs() {
    return jobs;
  }

  /** Pushes a job and returns its id once it is durable. */
  public String push(T payload) {
    return await(pushAsync(payload, PushOptions.none())).jobId();
  }

  /** Pushes with options (key, priority, delay, type, attempts); returns id and duplicate flag. */
  public PushResult push(T payload, PushOptions options) {
    return await(pushAsync(payload, options));
  }

  public CompletableFuture<PushResult> pushAsync(T payload, PushOptions options) {
    return jobs.push(options.apply(PushRequest.of(toJson(payload))));
  }

  /** Claims one ready job for {@code worker}, if there is one now. */
  public Optional<ClaimedJob<T>> claim(String worker) {
    List<ClaimedJob<T>> got = claim(new ClaimRequest(worker, null, 1, null), Duration.ZERO);
    return got.isEmpty() ? Optional.empty() : Optional.of(got.get(0));
  }

  /** Claims up to {@code request.limit()} jobs, waiting up to {@code wait} for one. */
  public List<ClaimedJob<T>> claim(ClaimRequest request, Duration wait) {
    return await(claimAsync(request, wait));
  }

  public CompletableFuture<List<ClaimedJob<T>>> claimAsync(ClaimRequest request, Duration wait) {
    return jobs.claim(request, wait)
        .thenApply(
            list -> {
              List<ClaimedJob<T>> out = new ArrayList<>(list.size());
              for (Job j : list) {
                out.add(typed(j));
              }
              return out;
            });
  }

  /** Extends the lease by the queue's default lease; returns the new expiry. */
  public Lease heartbeat(ClaimedJob<T> job) {
    return await(jobs.heartbeat(job.id(), job.leaseToken(), null));
  }

  public Lease heartbeat(ClaimedJob<T> job, Duration extendBy) {
    return await(jobs.heartbeat(job.id(), job.leaseToken(), extendBy));
  }

  public void complete(ClaimedJob<T> job) {
    await(jobs.complete(job.id(), job.leaseToken(), null));
  }

  /** Completes with a result object that is kept with the archived job. */
  public void complete(ClaimedJob<T> job, Object result) {
    await(jobs.complete(job.id(), job.leaseToken(), result == null ? null : toJson(result)));
  }

  /** Reports a failure; the job is retried with backoff while attempts remain. */
  public JobStatus fail(ClaimedJob<T> job, String error) {
    return await(jobs.fail(job.id(), job.leaseToken(), error, true));
  }

  /** Reports a failure that must not be retried: the job goes dead. */
  public JobStatus failPermanently(ClaimedJob<T> job, String error) {
    return await(jobs.fail(job.id(), job.leaseToken(), error, false));
  }

  /** Gives the job back without counting the attempt. */
  public void release(ClaimedJob<T> job) {
    await(jobs.release(job.id(), job.leaseToken()));
  }

  public void cancel(String jobId) {
    await(jobs.cancel(jobId));
  }

  public QueueStats stats() {
    return await(jobs.stats());
  }

  /** Starts a worker that runs {@code handler} for each job; close it to stop. */
  public Worker<T> worker(JobHandler<T> handler, WorkerOptions options) {
    return new Worker<>(this, handler, options);
  }

  @Override
  public void close() {
    jobs.close();
  }

  ClaimedJob<T> typed(Job j) {
    try {
      T payload = mapper.readValue(j.payloadJson(), type);
      return new ClaimedJob<>(j.id(), payload, j.lease().token(), j.lease().expiresAt(),
          j.attempts(), j);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "payload of job " + j.id() + " does not convert to " + type + ": "
              + e.getOriginalMessage());
    }
  }

  private String toJson(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("cannot convert payload to JSON: " + e.getOriginalMessage());
    }
  }

  static <R> R await(CompletableFuture<R> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueClosedException("interrupted while waiting for the queue");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new CompletionException(c);
    }
  }
}
