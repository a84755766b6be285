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

  void recordArchive(int n) {
    archived.add(n);
  }

  public long commits() {
    return commits.sum();
  }

  public long commands() {
    return commands.sum();
  }

  public long bytesWritten() {
    return bytesWritten.sum();
  }

  public long writeNanos() {
    return writeNanos.sum();
  }

  public long conflicts() {
    return conflicts.sum();
  }

  public long unknownOutcomes() {
    return unknownOutcomes.sum();
  }

  public long backPressure() {
    return backPressure.sum();
  }

  public long archived() {
    return archived.sum();
  }

  public long lastObjectBytes() {
    return lastObjectBytes;
  }
}
