package dev.casq.core.internal;

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
 * <p>Indexes: queued jobs that are due are ordered by (priority descending, seq), which is FIFO
 * within a priority; jobs scheduled for later wait in a run-at order until they are due; leased
 * jobs are ordered by lease expiry.
 */
public final class QueueState {
  /** The format of a queue object that names no segment (what every casq reads). */
  public static final String FORMAT = "casq-queue/1";

  /** The format of a queue object that names segments (or cancelled jobs still in one). */
  public static final String FORMAT_SEGMENTED = "casq-queue/2";

  /**
   * The format of a queue object that names leased-jobs objects: leased jobs held outside it (a
   * casq that does not know them must not read it, or it would never see those leases expire).
   */
  public static final String FORMAT_LEASES_HELD = "casq-queue/3";

  /**
   * The format of a queue object that holds recurring schedules (with or without segments and
   * leased-jobs objects): a casq that does not know schedules must not read it, or its next write
   * would drop them.
   */
  public static final String FORMAT_SCHEDULES = "casq-queue/4";

  /** Whether this casq reads queue objects of {@code format}. */
  public static boolean readable(String format) {
    return FORMAT.equals(format)
        || FORMAT_SEGMENTED.equals(format)
        || FORMAT_LEASES_HELD.equals(format)
        || FORMAT_SCHEDULES.equals(format);
  }

  static final int RECENT_COMMITS = 64;

  // written out rather than composed with Comparator.comparing(...): every push, claim and finish
  // runs them a few dozen times, and the composed form cost a tenth of a busy engine's time
  // push order (seq), not run-at: run-at comes from a broker's clock, which may step back within
  // the allowed skew (or be behind after a failover) and would put a later push first
  static final Comparator<Job> READY_ORDER =
      (a, b) -> {
        int c = Integer.compare(b.priority(), a.priority());
        return c != 0 ? c : Long.compare(a.seq(), b.seq());
      };
  static final Comparator<Job> SCHEDULE_ORDER =
      (a, b) -> {
        int c = a.runAt().compareTo(b.runAt());
        return c != 0 ? c : Long.compare(a.seq(), b.seq());
      };
  static final Comparator<Job> EXPIRY_ORDER =
      (a, b) -> {
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

  /**
   * An immutable segment object holding queued jobs that left the queue object (the head): ready
   * jobs sorted in {@link #READY_ORDER}, or (a <em>scheduled</em> segment, {@code due} set) jobs
   * waiting for their run-at sorted in {@link #SCHEDULE_ORDER}. The jobs before {@code cursor} have
   * moved back into the head; {@code nextPriority}/{@code nextSeq} are the order key of the job at
   * the cursor, so a claim knows whether the segment holds a better job than the head without
   * reading it; {@code due} is the run-at of that job in a scheduled segment, so the engine knows
   * when to move its jobs back into the head without reading it.
   *
   * @param key the segment object's key
   * @param count how many jobs it holds
   * @param cursor how many of them have moved back into the head
   * @param nextPriority priority of the job at the cursor
   * @param nextSeq seq of the job at the cursor
   * @param minSeq the lowest seq in the segment
   * @param maxSeq the highest seq in the segment
   * @param keys how many of its jobs from the cursor on that are not cancelled have an idempotency
   *     key (0: no need to index its keys at start); a head written before jobs leaving a segment
   *     were subtracted counts them all, which only overstates it
   * @param due the run-at of the job at the cursor of a scheduled segment; null for a segment of
   *     ready jobs
   */
  public record SegmentRef(
      String key,
      int count,
      int cursor,
      int nextPriority,
      long nextSeq,
      long minSeq,
      long maxSeq,
      int keys,
      Instant due) {
    /** A segment of ready jobs. */
    public SegmentRef(
        String key,
        int count,
        int cursor,
        int nextPriority,
        long nextSeq,
        long minSeq,
        long maxSeq,
        int keys) {
      this(key, count, cursor, nextPriority, nextSeq, minSeq, maxSeq, keys, null);
    }

    /** Whether it holds jobs waiting for their run-at (rather than ready ones). */
    public boolean scheduled() {
      return due != null;
    }

    /** Jobs not yet moved back into the head (cancelled ones included). */
    public int remaining() {
      return count - cursor;
    }

    boolean mayHold(long seq) {
      return seq >= minSeq && seq <= maxSeq;
    }
  }

  /**
   * An immutable leased-jobs object: leased jobs that moved out of the queue object (the head) to
   * keep it within its byte budget, each exactly as the head would hold it. The head names the
   * object and the ids of its jobs whose version there is no longer current ({@code superseded}:
   * the job changed since - a heartbeat, a completion, an expiry - and its current version is in
   * the head or finished); the object stops being named when every one of its jobs is superseded.
   *
   * @param key the object's key
   * @param count how many jobs it holds
   * @param superseded ids of its jobs whose version there is no longer current (sorted; mutable,
   *     owned by the state)
   */
  public record LeasedObjectRef(String key, int count, java.util.SortedSet<String> superseded) {
    /** How many of its jobs are still current. */
    public int held() {
      return count - superseded.size();
    }
  }

  /** Reads segments for the state machine (cached by the engine; segments never change). */
  interface SegmentSource {
    /**
     * The jobs of a segment, in its order, or null when the segment object is missing or unreadable
     * (a state that names a deleted segment is stale: its write will lose).
     */
    List<Job> jobs(String segmentKey);

    /**
     * Where the idempotency key sits in the segments the source indexed (usually nowhere: an empty
     * list), found with one probe whatever the number of segments; the caller judges each place
     * against the state (segment named, position at or after its cursor, job not cancelled).
     */
    List<KeyAt> keyAt(String key);

    /** The jobs of a segment if they are held in memory now, else null; never reads. */
    default List<Job> cached(String segmentKey) {
      return null;
    }
  }

  /** Where an idempotency key sits in a segment: the segment, its job and its position. */
  record KeyAt(String segment, String jobId, int position) {}

  /** A commit recorded in the state, to decide whether a write of unknown outcome landed. */
  public record CommitMark(long revision, String commitId) {}

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
  // in memory only: ids of the leased jobs by the (worker, request id) of the claim that leased
  // them, so that a retried claim finds its leases without a scan of every lease
  private final Map<ClaimMark, java.util.Set<String>> leasedByClaim = new HashMap<>();
  final Map<String, String> liveKeys = new HashMap<>(); // idempotency key -> job id
  final FinishedKeys finishedKeys = new FinishedKeys(); // in memory only, see FinishedKeys
  final List<Job> finished = new ArrayList<>(); // awaiting archive, oldest first
  final List<ArchiveRef> archives = new ArrayList<>(); // oldest first
  final List<SegmentRef> segments = new ArrayList<>(); // in the order they were written
  final java.util.Set<String> cancelledInSegments = new java.util.HashSet<>(); // job ids
  final java.util.Set<String> cancelledInScheduledSegments = new java.util.HashSet<>(); // job ids
  // leased-jobs objects named by the head, in the order they were written; their current jobs are
  // in live and leased like any other (the engine reads them when it adopts the state), marked
  // with Job.heldIn so that the head does not write them
  final Map<String, LeasedObjectRef> leasedObjects = new LinkedHashMap<>();
  boolean leasesAttached; // in memory only: the jobs of the leased-jobs objects are in live
  SegmentSource segmentSource; // in memory only: set by the engine after every decode
  final java.util.Set<String> unreadableSegments = new java.util.HashSet<>(); // in memory only
  // recurring schedules by name (format casq-queue/4 while not empty), see ScheduleEntry
  final java.util.TreeMap<String, ScheduleEntry> schedules = new java.util.TreeMap<>();

  /** A new, empty queue. */
  public static QueueState empty() {
    return new QueueState();
  }

  /**
   * The revision of this state: 0 for a new queue, one more with every commit.
   *
   * @return the revision
   */
  public long revision() {
    return revision;
  }

  /**
   * The random id of the commit that wrote this state, which tells two writes of the same revision
   * apart.
   *
   * @return the commit id
   */
  public String commitId() {
    return commitId;
  }

  /**
   * When the commit that wrote this state was made.
   *
   * @return the time of the last commit
   */
  public Instant updatedAt() {
    return updatedAt;
  }

  /**
   * The broker that serves the queue, or null for a queue used only embedded.
   *
   * @return the broker record, or null
   */
  public BrokerRecord broker() {
    return broker;
  }

  /**
   * The sequence number the next pushed job gets (its id is {@code j<seq>}).
   *
   * @return the next sequence number
   */
  public long nextSeq() {
    return nextSeq;
  }

  /**
   * The lifetime counters of the queue (pushed, completed, failed and so on).
   *
   * @return the counters
   */
  public QueueCounters counters() {
    return counters;
  }

  /**
   * The most recent commits, oldest first, kept so that a writer that lost track of a write can
   * tell whether it landed.
   *
   * @return the recent commit marks
   */
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

  /**
   * The finished job an idempotency key still returns at {@code now}: a push with the key within
   * the queue's {@code idempotencyRetention} after its job finished gets this id back.
   *
   * @param key the idempotency key
   * @param now the time to judge the retention at
   * @return the job id, or null when no finished job's key is remembered
   */
  public String rememberedJob(String key, Instant now) {
    return finishedKeys.jobFor(key, now);
  }

  /**
   * How many idempotency keys of finished jobs are remembered (some may be past their retention
   * until the next command).
   *
   * @return the count
   */
  public int rememberedKeyCount() {
    return finishedKeys.size();
  }

  /**
   * Idempotency keys held: those of finished jobs still remembered, of live jobs in the head, and
   * of jobs still in segments (a key whose job moved into the head or was cancelled there is
   * counted once, where it is now).
   */
  long keysHeld() {
    long n = (long) finishedKeys.size() + liveKeys.size();
    for (SegmentRef ref : segments) {
      n += ref.keys();
    }
    return n;
  }

  /** Segments named by this state, in the order they were written. */
  public List<SegmentRef> segments() {
    return segments;
  }

  /** Ids of cancelled jobs still inside a segment of ready jobs (skipped when it is read). */
  public java.util.Set<String> cancelledInSegments() {
    return cancelledInSegments;
  }

  /** Ids of cancelled jobs still inside a scheduled segment (skipped when it is read). */
  public java.util.Set<String> cancelledInScheduledSegments() {
    return cancelledInScheduledSegments;
  }

  /** Job id for an idempotency key, live (in the head or a segment) or remembered, or null. */
  String jobForKey(String key, Instant now) {
    String id = liveKeys.get(key);
    if (id != null) {
      return id;
    }
    if (!segments.isEmpty()) {
      for (KeyAt at : source().keyAt(key)) {
        SegmentRef ref = named(at.segment());
        if (ref != null
            && at.position() >= ref.cursor()
            && !cancelledIn(ref).contains(at.jobId())) {
          return at.jobId();
        }
      }
    }
    return finishedKeys.jobFor(key, now);
  }

  /** The segment named {@code key} by this state, or null (a scan: for a key's match only). */
  private SegmentRef named(String key) {
    for (SegmentRef ref : segments) {
      if (ref.key().equals(key)) {
        return ref;
      }
    }
    return null;
  }

  /** How many queued jobs that are due, waiting for a worker (in the head and in segments). */
  public int readyCount() {
    return ready.size() + segmentedCount();
  }

  /** How many ready jobs the head holds (O(1)). */
  public int headReadyCount() {
    return ready.size();
  }

  /** How many ready jobs wait in segments (O(segments)). */
  public int segmentedCount() {
    return segmented(false);
  }

  /** How many jobs waiting for their run-at are in scheduled segments (O(segments)). */
  public int scheduledSegmentedCount() {
    return segmented(true);
  }

  private int segmented(boolean scheduledKind) {
    long n = -(scheduledKind ? cancelledInScheduledSegments : cancelledInSegments).size();
    for (SegmentRef ref : segments) {
      if (ref.scheduled() == scheduledKind) {
        n += ref.remaining();
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, n);
  }

  /** The ids of cancelled jobs skipped when {@code ref} is read. */
  java.util.Set<String> cancelledIn(SegmentRef ref) {
    return ref.scheduled() ? cancelledInScheduledSegments : cancelledInSegments;
  }

  /** The earliest run-at of a job in a scheduled segment, or null. */
  Instant nextDueInSegments() {
    Instant next = null;
    for (SegmentRef ref : segments) {
      if (ref.scheduled()
          && !unreadableSegments.contains(ref.key())
          && (next == null || ref.due().isBefore(next))) {
        next = ref.due();
      }
    }
    return next;
  }

  /** The segment whose next job comes first in the ready order, or null. */
  SegmentRef bestSegment() {
    SegmentRef best = null;
    for (SegmentRef ref : segments) {
      if (ref.scheduled()) {
        continue;
      }
      if (!unreadableSegments.isEmpty() && unreadableSegments.contains(ref.key())) {
        continue; // never dropped: its jobs stay named, the claim serves the rest
      }
      if (best == null
          || ref.nextPriority() > best.nextPriority()
          || (ref.nextPriority() == best.nextPriority() && ref.nextSeq() < best.nextSeq())) {
        best = ref;
      }
    }
    return best;
  }

  /**
   * The run-at of the ready job next in line in the segments, when the segment holding it is in
   * memory (the engine loads it before a claim would read it); null otherwise. With a deep backlog
   * the head can hold no ready job between two claims while segments hold thousands.
   */
  Instant nextSegmentedReadyRunAt() {
    if (segments.isEmpty() || segmentSource == null) {
      return null;
    }
    SegmentRef best = bestSegment();
    if (best == null) {
      return null;
    }
    List<Job> jobs = segmentSource.cached(best.key());
    return jobs == null || best.cursor() >= jobs.size() ? null : jobs.get(best.cursor()).runAt();
  }

  /** Whether the next job of {@code ref} comes before {@code job} in the ready order. */
  static boolean before(SegmentRef ref, Job job) {
    return ref.nextPriority() != job.priority()
        ? ref.nextPriority() > job.priority()
        : ref.nextSeq() < job.seq();
  }

  /**
   * Moves up to {@code n} jobs from the cursor of {@code ref} into the head's ready jobs (skipping
   * cancelled ones) and advances the cursor; a segment read to its end stops being named.
   */
  void pull(SegmentRef ref, int n) {
    pull(ref, n, null);
  }

  /**
   * Moves jobs from the cursor of {@code ref} into the head: up to {@code n} of them, and from a
   * scheduled segment only those due at {@code dueBy}. They join the head's ready jobs (a segment
   * of ready jobs) or its scheduled ones (promoted when due, as any scheduled job).
   */
  private void pull(SegmentRef ref, int n, Instant dueBy) {
    List<Job> jobs = source().jobs(ref.key());
    if (jobs == null) {
      unreadableSegments.add(ref.key());
      return;
    }
    if (jobs.size() != ref.count()) {
      throw new IllegalStateException(
          "segment "
              + ref.key()
              + " holds "
              + jobs.size()
              + " jobs, the queue object says "
              + ref.count());
    }
    int index = segments.indexOf(ref);
    modCount++;
    java.util.Set<String> cancelled = cancelledIn(ref);
    int i = ref.cursor();
    int moved = 0;
    int keysMoved = 0; // now counted in the head's keys (a cancelled job's was at its cancel)
    while (i < jobs.size() && moved < n) {
      if (dueBy != null && jobs.get(i).runAt().isAfter(dueBy)) {
        break;
      }
      Job job = jobs.get(i++);
      if (cancelled.remove(job.id())) {
        continue;
      }
      keysMoved += job.idempotencyKey() != null ? 1 : 0;
      if (live.putIfAbsent(job.id(), job) != null) {
        throw new IllegalStateException("job " + job.id() + " is both live and in " + ref.key());
      }
      (ref.scheduled() ? scheduled : ready).add(job);
      if (job.idempotencyKey() != null) {
        liveKeys.put(job.idempotencyKey(), job.id());
      }
      moved++;
    }
    if (i >= jobs.size()) {
      segments.remove(index);
    } else {
      Job next = jobs.get(i);
      segments.set(
          index,
          new SegmentRef(
              ref.key(),
              ref.count(),
              i,
              next.priority(),
              next.seq(),
              ref.minSeq(),
              ref.maxSeq(),
              Math.max(0, ref.keys() - keysMoved),
              ref.scheduled() ? next.runAt() : null));
    }
  }

  /**
   * Moves the jobs of scheduled segments that are due at {@code now} into the head's scheduled jobs
   * (from where {@link #promoteDue} makes them ready).
   */
  void pullDue(Instant now) {
    for (int k = 0; k < segments.size(); k++) {
      SegmentRef ref = segments.get(k);
      if (ref.scheduled() && !ref.due().isAfter(now) && !unreadableSegments.contains(ref.key())) {
        int before = segments.size();
        try {
          pull(ref, Integer.MAX_VALUE, now);
        } catch (dev.casq.storage.StorageException e) {
          continue; // the store failed to answer: read again at the next tick
        }
        if (segments.size() < before) {
          k--; // read to its end and no longer named
        }
      }
    }
  }

  /** The queued job with this id that waits in a segment (not cancelled), or null. */
  Job segmentedJob(String id) {
    SegmentRef ref = segmentHolding(id);
    return ref == null ? null : jobIn(ref, id);
  }

  /** The segment that holds the queued job with this id (not cancelled), or null. */
  private SegmentRef segmentHolding(String id) {
    if (id.length() < 2 || id.charAt(0) != 'j') {
      return null;
    }
    long seq;
    try {
      seq = Long.parseLong(id, 1, id.length(), 10);
    } catch (NumberFormatException e) {
      return null;
    }
    for (SegmentRef ref : segments) {
      if (ref.mayHold(seq) && !cancelledIn(ref).contains(id) && jobIn(ref, id) != null) {
        return ref;
      }
    }
    return null;
  }

  private Job jobIn(SegmentRef ref, String id) {
    List<Job> jobs = source().jobs(ref.key());
    if (jobs == null) {
      return null;
    }
    for (int i = ref.cursor(); i < jobs.size(); i++) {
      if (jobs.get(i).id().equals(id)) {
        return jobs.get(i);
      }
    }
    return null;
  }

  /**
   * Cancels a job that waits in a segment: the segment is immutable, so the job's id is recorded
   * and the job is skipped when the segment is read; its key is remembered as any finished job's.
   */
  void cancelSegmented(Job old, Job cancelled, Instant forgetKeyAt) {
    SegmentRef ref = segmentHolding(old.id());
    if (ref == null) {
      throw new IllegalStateException("job " + old.id() + " is in no segment");
    }
    modCount++;
    cancelledIn(ref).add(old.id());
    finished.add(cancelled);
    if (old.idempotencyKey() != null) {
      remember(old.idempotencyKey(), old.id(), forgetKeyAt);
      // the key is counted among the finished jobs' now, not the segment's
      segments.set(
          segments.indexOf(ref),
          new SegmentRef(
              ref.key(),
              ref.count(),
              ref.cursor(),
              ref.nextPriority(),
              ref.nextSeq(),
              ref.minSeq(),
              ref.maxSeq(),
              Math.max(0, ref.keys() - 1),
              ref.due()));
    }
  }

  /**
   * Takes the ready jobs after the best {@code keep} out of the head, in ready order (for a new
   * segment). The caller names the segment in the state with {@link #addSegment}.
   */
  List<Job> takeWorstReady(int keep) {
    return takeLast(ready, keep);
  }

  /**
   * Takes the scheduled jobs after the first {@code keep} (by run-at) out of the head, in run-at
   * order (for a scheduled segment, named with {@link #addSegment}).
   */
  List<Job> takeLatestScheduled(int keep) {
    return takeLast(scheduled, keep);
  }

  /** Takes the jobs of {@code from} after its first {@code keep} out of the head, in its order. */
  private List<Job> takeLast(TreeSet<Job> from, int keep) {
    List<Job> out = new ArrayList<>(Math.max(0, from.size() - keep));
    Iterator<Job> it = from.descendingIterator();
    int n = from.size() - keep;
    while (n-- > 0 && it.hasNext()) {
      out.add(it.next());
    }
    java.util.Collections.reverse(out);
    for (Job job : out) {
      from.remove(job);
      live.remove(job.id());
      if (job.idempotencyKey() != null) {
        liveKeys.remove(job.idempotencyKey());
      }
    }
    modCount++;
    return out;
  }

  /** Puts scheduled jobs taken by {@link #takeLatestScheduled} back (no segment was written). */
  void restoreScheduled(List<Job> jobs) {
    modCount++;
    for (Job job : jobs) {
      live.put(job.id(), job);
      scheduled.add(job);
      if (job.idempotencyKey() != null) {
        liveKeys.put(job.idempotencyKey(), job.id());
      }
    }
  }

  /** Puts ready jobs taken by {@link #takeWorstReady} back (their segment was not written). */
  void restoreReady(List<Job> jobs) {
    modCount++;
    for (Job job : jobs) {
      live.put(job.id(), job);
      ready.add(job);
      if (job.idempotencyKey() != null) {
        liveKeys.put(job.idempotencyKey(), job.id());
      }
    }
  }

  /** Names a segment that holds {@code jobs} (in ready order). */
  void addSegment(String key, List<Job> jobs) {
    addSegment(key, jobs, false);
  }

  /**
   * Names a segment that holds {@code jobs}: in run-at order when {@code scheduledJobs}, else in
   * ready order.
   */
  void addSegment(String key, List<Job> jobs, boolean scheduledJobs) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    int keys = 0;
    for (Job j : jobs) {
      min = Math.min(min, j.seq());
      max = Math.max(max, j.seq());
      keys += j.idempotencyKey() != null ? 1 : 0;
    }
    Job first = jobs.get(0);
    segments.add(
        new SegmentRef(
            key,
            jobs.size(),
            0,
            first.priority(),
            first.seq(),
            min,
            max,
            keys,
            scheduledJobs ? first.runAt() : null));
    modCount++;
  }

  /**
   * Names one merged segment (holding {@code jobs}, in ready order; none when {@code key} is null)
   * instead of {@code inputs}; {@code skipped} are the ids of cancelled jobs the merge left out,
   * which no segment holds any more.
   */
  void replaceSegments(List<SegmentRef> inputs, String key, List<Job> jobs, List<String> skipped) {
    boolean scheduledJobs = inputs.get(0).scheduled();
    segments.removeAll(inputs);
    skipped.forEach(
        scheduledJobs ? cancelledInScheduledSegments::remove : cancelledInSegments::remove);
    if (key != null) {
      addSegment(key, jobs, scheduledJobs);
    }
    modCount++;
  }

  private SegmentSource source() {
    if (segmentSource == null) {
      throw new IllegalStateException("the state names segments but has no segment source");
    }
    return segmentSource;
  }

  /** How many queued jobs wait for their run-at (in the head and in segments; O(segments)). */
  public int scheduledCount() {
    return segments.isEmpty() ? scheduled.size() : scheduled.size() + scheduledSegmentedCount();
  }

  /** How many queued jobs waiting for their run-at the head holds (O(1)). */
  public int headScheduledCount() {
    return scheduled.size();
  }

  /** Leased-jobs objects named by this state, in the order they were written. */
  public Collection<LeasedObjectRef> leasedObjects() {
    return leasedObjects.values();
  }

  /**
   * Adds the current jobs of a leased-jobs object this state names (each marked with the object
   * that holds it), when the engine has read it. Not a change of the object.
   */
  void addHeld(Job job) {
    if (job.heldIn() == null || job.status() != JobStatus.LEASED) {
      throw new IllegalStateException("job " + job.id() + " is not a held lease");
    }
    if (live.putIfAbsent(job.id(), job) != null) {
      throw new IllegalStateException(
          "job " + job.id() + " is both in the queue object and in " + job.heldIn());
    }
    leased.add(job);
    markClaim(job);
    if (job.idempotencyKey() != null) {
      liveKeys.put(job.idempotencyKey(), job.id());
    }
  }

  /**
   * Names a new leased-jobs object holding {@code jobs} (leased jobs of this state, each exactly as
   * it is now), which the head then no longer writes.
   */
  void holdIn(String key, List<Job> jobs) {
    modCount++;
    for (Job job : jobs) {
      if (!leased.remove(job) || live.get(job.id()) != job) {
        throw new IllegalStateException("job " + job.id() + " is not a current lease");
      }
      Job held = job.heldIn(key);
      live.put(job.id(), held);
      leased.add(held);
    }
    leasedObjects.put(key, new LeasedObjectRef(key, jobs.size(), new java.util.TreeSet<>()));
  }

  /**
   * Stops naming the leased-jobs object {@code key}: its current jobs ({@code held}, as the object
   * holds them) are written in the queue object again, unchanged.
   */
  void bringBack(String key, List<Job> held) {
    if (leasedObjects.remove(key) == null) {
      throw new IllegalStateException(key + " is not named");
    }
    modCount++;
    for (Job job : held) {
      if (live.get(job.id()) != job || !leased.remove(job)) {
        throw new IllegalStateException("job " + job.id() + " is not current in " + key);
      }
      Job back = job.heldIn(null);
      live.put(job.id(), back);
      leased.add(back);
    }
  }

  /** A job held in a leased-jobs object changed: its version there is no longer current. */
  private void supersede(Job old) {
    String key = old.heldIn();
    if (key == null) {
      return;
    }
    LeasedObjectRef ref = leasedObjects.get(key);
    if (ref == null || !ref.superseded().add(old.id())) {
      throw new IllegalStateException("job " + old.id() + " is not current in " + key);
    }
    if (ref.held() == 0) {
      leasedObjects.remove(key); // deleted by the engine once a commit without it has landed
    }
  }

  /** The claim a lease was made by: its worker and request id. */
  private record ClaimMark(String worker, String requestId) {}

  /**
   * The ids of the jobs leased to {@code worker} by its claim {@code requestId}, in no particular
   * order (empty when none). O(1).
   */
  java.util.Set<String> leasedBy(String worker, String requestId) {
    return leasedByClaim.getOrDefault(new ClaimMark(worker, requestId), java.util.Set.of());
  }

  private void markClaim(Job job) {
    String requestId = job.lease().requestId();
    if (requestId != null) {
      leasedByClaim
          .computeIfAbsent(
              new ClaimMark(job.lease().worker(), requestId), k -> new java.util.HashSet<>(2))
          .add(job.id());
    }
  }

  private void unmarkClaim(Job job) {
    String requestId = job.lease().requestId();
    if (requestId != null) {
      ClaimMark mark = new ClaimMark(job.lease().worker(), requestId);
      java.util.Set<String> ids = leasedByClaim.get(mark);
      if (ids != null && ids.remove(job.id()) && ids.isEmpty()) {
        leasedByClaim.remove(mark);
      }
    }
  }

  /**
   * How many jobs a worker holds (O(1) without leased-jobs objects, else O(objects)): in a state
   * decoded but not read by an engine (casq stats from storage), those held in leased-jobs objects
   * are counted from the head's references.
   */
  public int leasedCount() {
    if (leasesAttached || leasedObjects.isEmpty()) {
      return leased.size();
    }
    long n = leased.size();
    for (LeasedObjectRef ref : leasedObjects.values()) {
      n += ref.held();
    }
    return (int) Math.min(Integer.MAX_VALUE, n);
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
    supersede(old);
    live.put(updated.id(), updated);
    index(updated);
  }

  /** Removes a live job; a finished version of it goes to the archive list. */
  void finish(Job old, Job finishedJob, Instant forgetKeyAt) {
    modCount++;
    unindex(old);
    supersede(old);
    live.remove(old.id());
    finished.add(finishedJob);
    String key = old.idempotencyKey();
    if (key != null) {
      liveKeys.remove(key);
      remember(key, old.id(), forgetKeyAt);
    }
  }

  /**
   * Remembers the key of a finished job (when it finishes, or when the engine rebuilds the keys
   * after reading the object), unless a live job holds the key now. Kept until {@code forgetAt},
   * whatever the number of keys. Not a change of the object.
   */
  void remember(String key, String jobId, Instant forgetAt) {
    if (liveKeys.containsKey(key)) {
      return;
    }
    finishedKeys.remember(key, jobId, forgetAt, revision);
  }

  /**
   * Moves scheduled jobs whose run-at has come into the ready order (reading the scheduled segments
   * that hold due jobs first).
   */
  void promoteDue(Instant now) {
    if (!segments.isEmpty()) {
      pullDue(now);
    }
    while (!scheduled.isEmpty() && !scheduled.first().runAt().isAfter(now)) {
      ready.add(scheduled.pollFirst());
    }
  }

  /** Forgets remembered keys whose time has passed (not a change of the object). */
  void forgetKeys(Instant now) {
    finishedKeys.forget(now);
  }

  // ------------------------------------------------------------------ history and dead letters

  /**
   * The queued jobs waiting in segments (cancelled ones left out) with a seq above {@code after},
   * in no particular order. Reads the segments that may hold such jobs (cached by the engine).
   */
  List<Job> segmentedJobsAfter(long after) {
    List<Job> out = new ArrayList<>();
    for (SegmentRef ref : segments) {
      if (ref.maxSeq() <= after) {
        continue;
      }
      List<Job> jobs = source().jobs(ref.key());
      if (jobs == null) {
        continue;
      }
      java.util.Set<String> cancelled = cancelledIn(ref);
      for (int i = ref.cursor(); i < jobs.size(); i++) {
        Job j = jobs.get(i);
        if (j.seq() > after && !cancelled.contains(j.id())) {
          out.add(j);
        }
      }
    }
    return out;
  }

  /** Where the newest finished record of this job sits in {@link #finished}, or -1. */
  int finishedIndex(String id) {
    for (int i = finished.size() - 1; i >= 0; i--) {
      if (finished.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Replaces the finished record at {@code index} (a dead job being retried or purged) by {@code
   * next}, a newer record of the same job that goes to the end of the finished jobs, or by nothing
   * when {@code next} is null.
   */
  void replaceFinished(int index, Job next) {
    modCount++;
    if (index >= 0) {
      finished.remove(index);
    }
    if (next != null) {
      finished.add(next);
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
      markClaim(job);
    } else if (job.status() == JobStatus.QUEUED) {
      scheduled.add(job); // promoted on the next promoteDue(now)
    } else {
      throw new IllegalStateException("finished job " + job.id() + " cannot be live");
    }
  }

  private void unindex(Job job) {
    if (job.status() == JobStatus.LEASED) {
      unmarkClaim(job);
    }
    boolean removed =
        job.status() == JobStatus.LEASED
            ? leased.remove(job)
            : (ready.remove(job) || scheduled.remove(job));
    if (!removed) {
      throw new IllegalStateException("job " + job.id() + " missing from its index");
    }
  }

  /** How many recurring schedules the queue holds. */
  public int scheduleCount() {
    return schedules.size();
  }
}
