package dev.casq.core;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the commit engine, readable from any thread. */
public final class EngineMetrics {
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
   * Idempotency keys the engine held in memory at its last landed commit (of finished jobs still
   * in their retention, of live jobs, of jobs in segments): compare with the budget's capacity.
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
   * @return the number of commits
   */
  public long commits() {
    return commits.sum();
  }

  /**
   * Commands carried by the commits that landed; divided by {@link #commits()} this is the mean
   * batch size.
   * @return the number of committed commands
   */
  public long commands() {
    return commands.sum();
  }

  /**
   * Bytes of queue objects written by the commits that landed.
   * @return the bytes written
   */
  public long bytesWritten() {
    return bytesWritten.sum();
  }

  /**
   * Total time of the commits that landed, from the start of each write until it was known to have
   * landed, in nanoseconds.
   * @return the summed commit time in nanoseconds
   */
  public long writeNanos() {
    return writeNanos.sum();
  }

  /**
   * Writes refused because the queue object had changed since it was read (a lost
   * compare-and-swap), each followed by a re-read.
   * @return the number of conflicting writes
   */
  public long conflicts() {
    return conflicts.sum();
  }

  /**
   * Writes that ended without a clear answer (they may or may not have landed) and were resolved by
   * re-reading the queue object.
   * @return the number of writes with an unknown outcome
   */
  public long unknownOutcomes() {
    return unknownOutcomes.sum();
  }

  /**
   * Times the store asked the engine to slow down (back-pressure) and the write was retried after a
   * pause.
   * @return the number of back-pressure answers
   */
  public long backPressure() {
    return backPressure.sum();
  }

  /**
   * Finished jobs moved out of the queue object into archive objects.
   * @return the number of archived jobs
   */
  public long archived() {
    return archived.sum();
  }

  /**
   * Size of the queue object written by the most recent commit, or 0 before the first.
   * @return the size in bytes of the last object written
   */
  public long lastObjectBytes() {
    return lastObjectBytes;
  }
}
