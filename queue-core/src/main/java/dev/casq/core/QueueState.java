package dev.casq.core;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The whole state of one queue: what the queue object holds. Mutable and confined to one thread
 * (the commit engine's); the engine throws a copy away when its write loses, and re-reads.
 *
 * <p>Indexes: queued jobs that are due are ordered by (priority descending, seq), which is
 * FIFO within a priority; jobs scheduled for later wait in a run-at order until they are due;
 * leased jobs are ordered by lease expiry.
 */
public final class QueueState {
  /** The format written into every queue object. */
  public static final String FORMAT = "casq-queue/1";

  static final int RECENT_COMMITS = 64;

  // written out rather than composed with Comparator.comparing(...): every push, claim and finish
  // runs them a few dozen times, and the composed form cost a tenth of a busy engine's time
  // push order (seq), not run-at: run-at comes from a broker's clock, which may step back within
  // the allowed skew (or be behind after a failover) and would put a later push first
  static final Comparator<Job> READY_ORDER = (a, b) -> {
    int c = Integer.compare(b.priority(), a.priority());
    return c != 0 ? c : Long.compare(a.seq(), b.seq());
  };
  static final Comparator<Job> SCHEDULE_ORDER = (a, b) -> {
    int c = a.runAt().compareTo(b.runAt());
    return c != 0 ? c : Long.compare(a.seq(), b.seq());
  };
  static final Comparator<Job> EXPIRY_ORDER = (a, b) -> {
    int c = a.lease().expiresAt().compareTo(b.lease().expiresAt());
    return c != 0 ? c : Long.compare(a.seq(), b.seq());
  };

  /**
   * An archive object written by a commit of this queue, named in the state for as long as the
   * idempotency keys of its jobs may still be remembered: a starting engine reads these objects to
   * remember those keys again (they are not written into the queue object itself).
   *
   * @param key the archive object's key
   * @param keys how many of its jobs have an idempotency key
   * @param at when it was written
   */
  public record ArchiveRef(String key, int keys, Instant at) {}

  /** A commit recorded in the state, to decide whether a write of unknown outcome landed. */
  public record CommitMark(long revision, String commitId) {}

  /**
   * A remembered idempotency key of a job that has finished. The engine keeps these in memory
   * only: they are rebuilt from the finished jobs in the queue object and from the archive objects
   * it names ({@link ArchiveRef}), so they cost no bytes in any commit. (Objects written by
   * earlier versions of casq list them in the object; they are read from there too.)
   */
  public static final class RememberedKey {
    private final String jobId;
    private final Instant forgetAt;

    public RememberedKey(String jobId, Instant forgetAt) {
      this.jobId = java.util.Objects.requireNonNull(jobId, "jobId");
      this.forgetAt = java.util.Objects.requireNonNull(forgetAt, "forgetAt");
    }

    public String jobId() {
      return jobId;
    }

    public Instant forgetAt() {
      return forgetAt;
    }
  }

  long revision;
  String commitId;
  long modCount; // in memory only: bumped by every change that must be written
  Instant updatedAt;
  final ArrayDeque<CommitMark> recentCommits = new ArrayDeque<>();
  BrokerRecord broker;
  long nextSeq = 1;
  final QueueCounters counters = new QueueCounters();

  final Map<String, Job> live = new LinkedHashMap<>(); // push order: readable with cat
  final TreeSet<Job> ready = new TreeSet<>(READY_ORDER);
  final TreeSet<Job> scheduled = new TreeSet<>(SCHEDULE_ORDER);
  final TreeSet<Job> leased = new TreeSet<>(EXPIRY_ORDER);
  final Map<String, String> liveKeys = new HashMap<>(); // idempotency key -> job id
  final LinkedHashMap<String, RememberedKey> rememberedKeys = new LinkedHashMap<>();
  final List<Job> finished = new ArrayList<>(); // awaiting archive, oldest first
  final List<ArchiveRef> archives = new ArrayList<>(); // oldest first

  /** A new, empty queue. */
  public static QueueState empty() {
    return new QueueState();
  }

  public long revision() {
    return revision;
  }

  public String commitId() {
    return commitId;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public BrokerRecord broker() {
    return broker;
  }

  public long nextSeq() {
    return nextSeq;
  }

  public QueueCounters counters() {
    return counters;
  }

  public Collection<CommitMark> recentCommits() {
    return recentCommits;
  }

  /** The live job with this id, or null. */
  public Job job(String id) {
    return live.get(id);
  }

  /** Live jobs (queued and leased), in no particular order. */
  public Collection<Job> liveJobs() {
    return live.values();
  }

  /** Finished jobs that are still in the hot state, waiting to be archived, oldest first. */
  public List<Job> finishedJobs() {
    return finished;
  }

  /** Archive objects whose jobs' idempotency keys may still be remembered, oldest first. */
  public List<ArchiveRef> archives() {
    return archives;
  }

  public Map<String, RememberedKey> rememberedKeys() {
    return rememberedKeys;
  }

  /** Job id for an idempotency key, live or remembered, or null. */
  String jobForKey(String key) {
    String id = liveKeys.get(key);
    if (id != null) {
      return id;
    }
    RememberedKey r = rememberedKeys.get(key);
    return r == null ? null : r.jobId();
  }

  /** How many queued jobs that are due, waiting for a worker (O(1)). */
  public int readyCount() {
    return ready.size();
  }

  /** How many queued jobs waiting for their run-at (O(1)). */
  public int scheduledCount() {
    return scheduled.size();
  }

  /** How many jobs a worker holds (O(1)). */
  public int leasedCount() {
    return leased.size();
  }

  /** Adds a live job to the indexes. */
  void addLive(Job job) {
    modCount++;
    if (live.putIfAbsent(job.id(), job) != null) {
      throw new IllegalStateException("duplicate live job id " + job.id());
    }
    index(job);
    if (job.idempotencyKey() != null) {
      liveKeys.put(job.idempotencyKey(), job.id());
    }
  }

  /** Replaces a live job by a new version of itself (same id). */
  void replaceLive(Job old, Job updated) {
    modCount++;
    unindex(old);
    live.put(updated.id(), updated);
    index(updated);
  }

  /** Removes a live job; a finished version of it goes to the archive list. */
  void finish(Job old, Job finishedJob, Instant forgetKeyAt, int maxRememberedKeys) {
    modCount++;
    unindex(old);
    live.remove(old.id());
    finished.add(finishedJob);
    String key = old.idempotencyKey();
    if (key != null) {
      liveKeys.remove(key);
      remember(key, old.id(), forgetKeyAt, maxRememberedKeys);
    }
  }

  /**
   * Remembers the key of a finished job (when it finishes, or when the engine rebuilds the keys
   * after reading the object), unless a live job holds the key now; the oldest keys beyond
   * {@code maxRememberedKeys} are forgotten. Not a change of the object.
   */
  void remember(String key, String jobId, Instant forgetAt, int maxRememberedKeys) {
    if (maxRememberedKeys <= 0 || liveKeys.containsKey(key)) {
      return;
    }
    rememberedKeys.remove(key);
    rememberedKeys.put(key, new RememberedKey(jobId, forgetAt));
    while (rememberedKeys.size() > maxRememberedKeys) {
      Iterator<String> it = rememberedKeys.keySet().iterator();
      it.next();
      it.remove();
    }
  }

  /** Moves scheduled jobs whose run-at has come into the ready order. */
  void promoteDue(Instant now) {
    while (!scheduled.isEmpty() && !scheduled.first().runAt().isAfter(now)) {
      ready.add(scheduled.pollFirst());
    }
  }

  /** Forgets remembered keys whose time has passed. */
  void forgetKeys(Instant now) {
    Iterator<RememberedKey> it = rememberedKeys.values().iterator();
    while (it.hasNext()) {
      RememberedKey r = it.next();
      if (r.forgetAt().isAfter(now)) {
        break; // insertion order is forget order: retention is one constant per queue
      }
      it.remove();
      modCount++;
    }
  }

  /** Removes the oldest {@code n} finished jobs (after they were archived). */
  void dropFinished(int n) {
    modCount++;
    finished.subList(0, n).clear();
  }

  void recordCommit(long newRevision, String newCommitId, Instant at) {
    revision = newRevision;
    commitId = newCommitId;
    updatedAt = at;
    recentCommits.addLast(new CommitMark(newRevision, newCommitId));
    while (recentCommits.size() > RECENT_COMMITS) {
      recentCommits.removeFirst();
    }
  }

  /** Whether the commit with this id is recorded as revision {@code revision}. */
  Boolean commitLanded(long revisionOfCommit, String id) {
    for (CommitMark m : recentCommits) {
      if (m.revision() == revisionOfCommit) {
        return m.commitId().equals(id);
      }
    }
    if (revision < revisionOfCommit) {
      return false; // the state has not reached that revision: the commit did not land
    }
    return null; // too old to tell
  }

  private void index(Job job) {
    if (job.status() == JobStatus.LEASED) {
      leased.add(job);
    } else if (job.status() == JobStatus.QUEUED) {
      scheduled.add(job); // promoted on the next promoteDue(now)
    } else {
      throw new IllegalStateException("finished job " + job.id() + " cannot be live");
    }
  }

  private void unindex(Job job) {
    boolean removed =
        job.status() == JobStatus.LEASED
            ? leased.remove(job)
            : (ready.remove(job) || scheduled.remove(job));
    if (!removed) {
      throw new IllegalStateException("job " + job.id() + " missing from its index");
    }
  }
}
