package dev.casq.core.internal;

import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.QueueException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;

/**
 * A queue's jobs wherever they are - live in the queue object, in segments or leased-jobs objects,
 * finished and waiting for their archive, or archived - and the actions on dead jobs (retry,
 * purge). What the queue object holds is read through read-only engine commands; the archives
 * through their history indexes ({@link History}), on a thread of its own, never the engine's.
 * Retries and purges are commands of the state machine ({@link QueueStateMachine#retryDead}, {@link
 * QueueStateMachine#purgeDead}) that get the archived record read beforehand.
 */
public final class JobHistory implements AutoCloseable {
  /** The most jobs one page of a list holds. */
  public static final int MAX_PAGE = 1000;

  /** Jobs per page that a retry or purge by filter works through. */
  static final int BULK_PAGE = 500;

  /** One page of a list: the jobs, and the cursor of the next page (null on the last). */
  public record Page(List<Job> jobs, String nextCursor) {}

  private final GroupCommitEngine engine;
  private final History history;
  private final ExecutorService reads;

  JobHistory(GroupCommitEngine engine) {
    this.engine = engine;
    this.history = new History(engine.store(), engine.key());
    this.reads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "casq-history-" + engine.key());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The archive reader (for its counts of listings and reads).
   *
   * @return the reader
   */
  public History archives() {
    return history;
  }

  /**
   * The job with this id wherever it is: the queue object's newest record of it, else the newest
   * archived one.
   *
   * @param jobId the job id
   * @return the job; fails with {@link JobNotFoundException} when there is none (or it was purged)
   */
  public CompletableFuture<Job> find(String jobId) {
    return engine
        .submit(Command.readingOnly((s, m, now) -> m.locate(s, jobId)))
        .thenCompose(
            at -> {
              if (at.known()) {
                return at.job() != null
                    ? CompletableFuture.completedFuture(at.job())
                    : CompletableFuture.failedFuture(new JobNotFoundException(jobId));
              }
              return CompletableFuture.supplyAsync(
                  () -> archived(jobId).orElseThrow(() -> new JobNotFoundException(jobId)), reads);
            });
  }

  /**
   * One page of the jobs {@code filter} takes, live and archived, in id (push) order.
   *
   * @param filter what to take
   * @param cursor null for the first page, else the {@code nextCursor} of the previous page
   * @param limit at most this many jobs, from 1 to {@value #MAX_PAGE}
   * @return the page; fails with {@link InvalidRequestException} for a bad cursor or limit
   */
  public CompletableFuture<Page> list(HistoryFilter filter, String cursor, int limit) {
    long after;
    try {
      after = afterCursor(cursor);
      if (limit < 1 || limit > MAX_PAGE) {
        throw new InvalidRequestException("limit must be from 1 to " + MAX_PAGE + ", got " + limit);
      }
    } catch (InvalidRequestException e) {
      return CompletableFuture.failedFuture(e);
    }
    return engine
        .submit(Command.readingOnly((s, m, now) -> m.listHead(s, filter, after, limit)))
        .thenComposeAsync(head -> withArchived(head, filter, after, limit), reads);
  }

  /**
   * Retries a dead job: it is queued again, ready now, with its id and payload and no attempts
   * made.
   *
   * @param jobId the dead job
   * @return the queued job; fails with {@link JobNotFoundException}, or {@link
   *     InvalidRequestException} when the job is not dead
   */
  public CompletableFuture<Job> retry(String jobId) {
    return onDead(jobId, (id, archived) -> (s, m, now) -> m.retryDead(s, id, archived, now));
  }

  /**
   * Purges a dead job: lookups and lists no longer find it.
   *
   * @param jobId the dead job
   * @return the job as it was; fails as {@link #retry}
   */
  public CompletableFuture<Job> purge(String jobId) {
    return onDead(jobId, (id, archived) -> (s, m, now) -> m.purgeDead(s, id, archived, now));
  }

  /**
   * Retries every dead job {@code filter} takes (its status must be dead or open).
   *
   * @param filter which dead jobs
   * @return how many were retried
   */
  public CompletableFuture<Integer> retryAll(HistoryFilter filter) {
    return onAllDead(filter, (id, archived) -> (s, m, now) -> m.retryDead(s, id, archived, now));
  }

  /**
   * Purges every dead job {@code filter} takes (its status must be dead or open).
   *
   * @param filter which dead jobs
   * @return how many were purged
   */
  public CompletableFuture<Integer> purgeAll(HistoryFilter filter) {
    return onAllDead(filter, (id, archived) -> (s, m, now) -> m.purgeDead(s, id, archived, now));
  }

  @Override
  public void close() {
    reads.shutdownNow();
  }

  // ------------------------------------------------------------------ internals

  private CompletableFuture<Job> onDead(
      String jobId, BiFunction<String, Job, Command<Job>> action) {
    return engine
        .submit(Command.readingOnly((s, m, now) -> m.locate(s, jobId)))
        .thenComposeAsync(
            at -> {
              Job archived = at.known() ? null : archived(jobId).orElse(null);
              return engine.submit(action.apply(jobId, archived));
            },
            reads);
  }

  private CompletableFuture<Integer> onAllDead(
      HistoryFilter filter, BiFunction<String, Job, Command<Job>> action) {
    if (filter.status() != null && filter.status() != JobStatus.DEAD) {
      return CompletableFuture.failedFuture(
          new InvalidRequestException(
              "only dead jobs can be retried or purged; the filter asks for status "
                  + filter.status().wireName()));
    }
    HistoryFilter dead =
        new HistoryFilter(JobStatus.DEAD, filter.type(), filter.createdFrom(), filter.createdTo());
    return CompletableFuture.supplyAsync(
        () -> {
          int done = 0;
          String cursor = null;
          do {
            Page page = join(list(dead, cursor, BULK_PAGE));
            List<CompletableFuture<Job>> each = new ArrayList<>(page.jobs().size());
            for (Job j : page.jobs()) {
              each.add(engine.submit(action.apply(j.id(), j)));
            }
            for (CompletableFuture<Job> f : each) {
              try {
                join(f);
                done++;
              } catch (InvalidRequestException | JobNotFoundException changedMeanwhile) {
                // retried, purged or changed since the page was read: not this action's any more
              }
            }
            cursor = page.nextCursor();
          } while (cursor != null);
          return done;
        },
        reads);
  }

  private CompletableFuture<Page> withArchived(
      QueueStateMachine.HeadPage head, HistoryFilter filter, long after, int limit) {
    History.Scan scan = history.scan(filter, after, head.lastSeq(), limit);
    List<String> ids = new ArrayList<>(scan.found().size());
    for (History.Found f : scan.found()) {
      ids.add(QueueStateMachine.jobId(f.entry().seq()));
    }
    CompletableFuture<Set<String>> newer =
        ids.isEmpty()
            ? CompletableFuture.completedFuture(Set.of())
            : engine.submit(Command.readingOnly((s, m, now) -> m.superseded(s, ids)));
    return newer.thenApplyAsync(
        superseded -> {
          long headBound =
              head.more() ? head.jobs().get(head.jobs().size() - 1).seq() : Long.MAX_VALUE;
          long bound = Math.min(headBound, scan.coveredTo());
          List<Object> merged = new ArrayList<>();
          for (Job j : head.jobs()) {
            if (j.seq() <= bound) {
              merged.add(j);
            }
          }
          for (History.Found f : scan.found()) {
            if (f.entry().seq() <= bound
                && !superseded.contains(QueueStateMachine.jobId(f.entry().seq()))) {
              merged.add(f);
            }
          }
          merged.sort(Comparator.comparingLong(JobHistory::seqOf));
          boolean more = merged.size() > limit || bound != Long.MAX_VALUE;
          List<Object> taken = merged.size() > limit ? merged.subList(0, limit) : merged;
          List<Job> jobs = new ArrayList<>(taken.size());
          for (Object o : taken) {
            Job j = o instanceof Job live ? live : history.job((History.Found) o);
            if (j != null) {
              jobs.add(j);
            }
          }
          String next = null;
          if (more) {
            next =
                merged.size() > limit
                    ? QueueStateMachine.jobId(seqOf(taken.get(taken.size() - 1)))
                    : QueueStateMachine.jobId(bound);
          }
          return new Page(jobs, next);
        },
        reads);
  }

  private static long seqOf(Object o) {
    return o instanceof Job j ? j.seq() : ((History.Found) o).entry().seq();
  }

  /** The newest archived record of the job, unless it was purged; empty for an id of no job. */
  private Optional<Job> archived(String jobId) {
    long seq = seqOf(jobId);
    if (seq < 1) {
      return Optional.empty();
    }
    return history.find(seq).map(history::job);
  }

  private static long seqOf(String jobId) {
    if (jobId == null || jobId.length() < 2 || jobId.length() > 20 || jobId.charAt(0) != 'j') {
      return -1;
    }
    for (int i = 1; i < jobId.length(); i++) {
      if (jobId.charAt(i) < '0' || jobId.charAt(i) > '9') {
        return -1;
      }
    }
    try {
      return Long.parseLong(jobId, 1, jobId.length(), 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long afterCursor(String cursor) {
    if (cursor == null) {
      return 0;
    }
    long seq = seqOf(cursor);
    if (seq < 1) {
      throw new InvalidRequestException(
          "cursor '"
              + TextRules.truncate(TextRules.replaceLoneSurrogates(cursor), 40)
              + "' is not one a list of this queue returned");
    }
    return seq;
  }

  private static <R> R join(CompletableFuture<R> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof QueueException q) {
        throw q;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }
}
