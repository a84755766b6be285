package dev.casq.cli;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the dedupe scenario knows of each key it pushed: key {@code n} is {@code "dedupe-n"}, pushed
 * once by the load; the job id its push was acknowledged with, when, and which job id a consumer
 * completed for it, how many times. Job ids are held as their sequence number ({@code j<seq>}),
 * plus one (0: none yet), in flat arrays: 6M keys cost ~120 MB, not a map of strings.
 */
final class DedupeLedger {
  private final AtomicLongArray ackedSeq; // seq + 1 of the acknowledged job, 0: not acknowledged
  private final AtomicIntegerArray ackedAtMillis; // since the scenario's start
  private final AtomicLongArray completedSeq; // seq + 1 of the job a consumer completed for it
  private final AtomicIntegerArray completions; // completes acknowledged for the key
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong completedKeys = new AtomicLong();
  private final AtomicLong completes = new AtomicLong();
  private final AtomicLong secondJobs = new AtomicLong();
  private final AtomicLong doubleCompletes = new AtomicLong();
  private volatile String firstProblem;

  DedupeLedger(int capacity) {
    ackedSeq = new AtomicLongArray(capacity);
    ackedAtMillis = new AtomicIntegerArray(capacity);
    completedSeq = new AtomicLongArray(capacity);
    completions = new AtomicIntegerArray(capacity);
  }

  int capacity() {
    return ackedSeq.length();
  }

  static String key(long n) {
    return "dedupe-" + n;
  }

  /** The job's sequence number from its id {@code j<seq>}. */
  static long seqOf(String jobId) {
    if (jobId == null || jobId.length() < 2 || jobId.charAt(0) != 'j') {
      throw new CliException("unexpected job id from the broker: " + jobId);
    }
    try {
      return Long.parseLong(jobId, 1, jobId.length(), 10);
    } catch (NumberFormatException e) {
      throw new CliException("unexpected job id from the broker: " + jobId, e);
    }
  }

  static String jobId(long seq) {
    return "j" + seq;
  }

  /** The push of key {@code n} was acknowledged with job {@code seq}. */
  void acknowledged(int n, long seq, int atMillis) {
    ackedAtMillis.set(n, atMillis);
    if (ackedSeq.compareAndSet(n, 0, seq + 1)) {
      acked.incrementAndGet();
    }
    long done = completedSeq.get(n);
    if (done != 0 && done != seq + 1) {
      problem(
          secondJobs,
          "key " + key(n) + ": pushed as " + jobId(seq) + ", completed as " + jobId(done - 1));
    }
  }

  /** A consumer's complete of job {@code seq}, carrying key {@code n}, was acknowledged. */
  void completed(int n, long seq) {
    completes.incrementAndGet();
    if (completions.incrementAndGet(n) == 1) {
      completedKeys.incrementAndGet();
    }
    if (!completedSeq.compareAndSet(n, 0, seq + 1) && completedSeq.get(n) != seq + 1) {
      problem(
          secondJobs,
          "key "
              + key(n)
              + ": two jobs completed, "
              + jobId(completedSeq.get(n) - 1)
              + " and "
              + jobId(seq));
    } else if (completions.get(n) > 1) {
      problem(doubleCompletes, "job " + jobId(seq) + " (key " + key(n) + ") completed twice");
    }
    long a = ackedSeq.get(n);
    if (a != 0 && a != seq + 1) {
      problem(
          secondJobs,
          "key " + key(n) + ": pushed as " + jobId(a - 1) + ", completed as " + jobId(seq));
    }
  }

  /** A second job for a key found otherwise (in the queue at the end). */
  void problem(String what) {
    problem(secondJobs, what);
  }

  private void problem(AtomicLong counter, String what) {
    counter.incrementAndGet();
    if (firstProblem == null) {
      firstProblem = what;
    }
  }

  /** The acknowledged job of key {@code n} ({@code j<seq>} as seq), or -1. */
  long ackedSeq(int n) {
    return ackedSeq.get(n) - 1;
  }

  int ackedAtMillis(int n) {
    return ackedAtMillis.get(n);
  }

  int completions(int n) {
    return completions.get(n);
  }

  long acked() {
    return acked.get();
  }

  long completes() {
    return completes.get();
  }

  long completedKeys() {
    return completedKeys.get();
  }

  /** Keys for which a second job showed up (pushed as one job, completed as another). */
  long secondJobs() {
    return secondJobs.get();
  }

  long doubleCompletes() {
    return doubleCompletes.get();
  }

  String firstProblem() {
    return firstProblem;
  }
}
