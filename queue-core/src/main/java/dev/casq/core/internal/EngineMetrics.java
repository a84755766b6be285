package dev.casq.core.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the commit engine, readable from any thread. */
public final class EngineMetrics {
  /** Told of every commit that landed, on the engine thread: must be quick and never block. */
  @FunctionalInterface
  public interface CommitObserver {
    /**
     * A write of the queue object landed.
     *
     * @param commands the commands it carried
     * @param bytes the size of the object written
     * @param nanos the time from the start of the write until it was known to have landed
     */
    void committed(int commands, int bytes, long nanos);
  }

  private final List<CommitObserver> observers = new CopyOnWriteArrayList<>();
  private final LongAdder errors = new LongAdder();
  private QueueTally sealed; // engine thread only: the tally of the write in flight
  private volatile QueueTally committed = QueueTally.NONE;
  private volatile QueueTally latest = QueueTally.NONE;
  private final LongAdder commits = new LongAdder();
  private final LongAdder commands = new LongAdder();
  private final LongAdder bytesWritten = new LongAdder();
  private final LongAdder writeNanos = new LongAdder();
  private final LongAdder conflicts = new LongAdder();
  private final LongAdder unknownOutcomes = new LongAdder();
  private final LongAdder backPressure = new LongAdder();
  private final LongAdder archived = new LongAdder();
  private volatile long lastObjectBytes;
  private volatile long keysHeld;
  private final java.util.concurrent.atomic.LongAdder keyBudgetRefusals =
      new java.util.concurrent.atomic.LongAdder();
  private volatile long segments;
  private volatile long segmentedJobs;
  private volatile long segmentBytes;

  void recordCommit(int batchSize, int bytes, long nanos) {
    commits.increment();
    commands.add(batchSize);
    bytesWritten.add(bytes);
    writeNanos.add(nanos);
    lastObjectBytes = bytes;
    if (sealed != null) {
      committed = sealed;
    }
    for (CommitObserver o : observers) {
      o.committed(batchSize, bytes, nanos);
    }
  }

  /** The state of the write about to start (at most one is in flight): committed if it lands. */
  void recordSealed(QueueState state) {
    sealed = QueueTally.of(state);
  }

  /** The state read when the engine started: committed by definition. */
  void recordLoaded(QueueState state) {
    QueueTally t = QueueTally.of(state);
    committed = t;
    latest = t;
  }

  /** The engine's working state after a batch or a timer tick. */
  void recordLatest(QueueState state) {
    latest = QueueTally.of(state);
  }

  void recordError() {
    errors.increment();
  }

  /**
   * Calls {@code observer} after every commit that lands from now on, on the engine thread (for
   * histograms of commit latency and batch size).
   *
   * @param observer quick and non-blocking
   */
  public void observeCommits(CommitObserver observer) {
    observers.add(java.util.Objects.requireNonNull(observer, "observer"));
  }

  /**
   * The queue as of the last commit that landed (or the read that started the engine): its counters
   * count committed events only.
   *
   * @return the tally, {@link QueueTally#NONE} before the engine read the queue
   */
  public QueueTally committed() {
    return committed;
  }

  /**
   * The queue as the engine holds it after its last batch or timer tick: everything committed and
   * possibly the batch whose write is in flight (due jobs count as ready as soon as they are due,
   * without waiting for a write).
   *
   * @return the tally, {@link QueueTally#NONE} before the engine read the queue
   */
  public QueueTally latest() {
    return latest;
  }

  /**
   * Times the commit loop ran into an error and retried (a failed write, a failed read), as
   * reported in the engine's health as {@code retrying}.
   *
   * @return the count since the engine started
   */
  public long errors() {
    return errors.sum();
  }

  void recordConflict() {
    conflicts.increment();
  }

  void recordUnknown() {
    unknownOutcomes.increment();
  }

  void recordBackPressure() {
    backPressure.increment();
  }

  void recordSegment(int jobs, int bytes) {
    segments++;
    segmentedJobs += jobs;
    segmentBytes += bytes;
  }

  /** Bytes of segment objects written. */
  public long segmentBytesWritten() {
    return segmentBytes;
  }

  /** Segment objects written. */
  public long segmentsWritten() {
    return segments;
  }

  /** Jobs moved into segment objects. */
  public long segmentedJobs() {
    return segmentedJobs;
  }

  void recordKeysHeld(long keys) {
    keysHeld = keys;
  }

  /**
   * Idempotency keys the engine held in memory at its last landed commit (of finished jobs still in
   * their retention, of live jobs, of jobs in segments): compare with the budget's capacity.
   *
   * @return the number of keys
   */
  public long idempotencyKeys() {
    return keysHeld;
  }

  void recordKeyBudgetRefusal() {
    keyBudgetRefusals.increment();
  }

  /**
   * Pushes with a new idempotency key refused because the queue held as many keys as its
   * idempotencyMemoryBudget allows.
   *
   * @return the count since the engine started
   */
  public long keyBudgetRefusals() {
    return keyBudgetRefusals.sum();
  }

  void recordArchive(int n) {
    archived.add(n);
  }

  /**
   * Writes of the queue object that landed (one per group commit).
   *
   * @return the number of commits
   */
  public long commits() {
    return commits.sum();
  }

  /**
   * Commands carried by the commits that landed; divided by {@link #commits()} this is the mean
   * batch size.
   *
   * @return the number of committed commands
   */
  public long commands() {
    return commands.sum();
  }

  /**
   * Bytes of queue objects written by the commits that landed.
   *
   * @return the bytes written
   */
  public long bytesWritten() {
    return bytesWritten.sum();
  }

  /**
   * Total time of the commits that landed, from the start of each write until it was known to have
   * landed, in nanoseconds.
   *
   * @return the summed commit time in nanoseconds
   */
  public long writeNanos() {
    return writeNanos.sum();
  }

  /**
   * Writes refused because the queue object had changed since it was read (a lost
   * compare-and-swap), each followed by a re-read.
   *
   * @return the number of conflicting writes
   */
  public long conflicts() {
    return conflicts.sum();
  }

  /**
   * Writes that ended without a clear answer (they may or may not have landed) and were resolved by
   * re-reading the queue object.
   *
   * @return the number of writes with an unknown outcome
   */
  public long unknownOutcomes() {
    return unknownOutcomes.sum();
  }

  /**
   * Times the store asked the engine to slow down (back-pressure) and the write was retried after a
   * pause.
   *
   * @return the number of back-pressure answers
   */
  public long backPressure() {
    return backPressure.sum();
  }

  /**
   * Finished jobs moved out of the queue object into archive objects.
   *
   * @return the number of archived jobs
   */
  public long archived() {
    return archived.sum();
  }

  /**
   * Size of the queue object written by the most recent commit, or 0 before the first.
   *
   * @return the size in bytes of the last object written
   */
  public long lastObjectBytes() {
    return lastObjectBytes;
  }
}
