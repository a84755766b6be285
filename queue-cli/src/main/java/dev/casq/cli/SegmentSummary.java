package dev.casq.cli;

import dev.casq.api.CorruptStateException;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.VersionedBytes;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * {@code casq inspect --segments}: the head (format, revision, size, the jobs it holds), one line
 * per leased-jobs object it names and one line per segment it names, in the head's order.
 */
final class SegmentSummary {
  /** One segment as the head names it and as read from storage. */
  record Line(
      QueueState.SegmentRef ref,
      long bytes,
      Integer maxPriority,
      Integer minPriority,
      String problem) {}

  private SegmentSummary() {}

  static void print(StoreLocation loc, PrintWriter out) {
    Optional<VersionedBytes> head = loc.store().read(loc.key());
    if (head.isEmpty()) {
      throw new CliException("no queue object at " + loc + " (nothing was pushed there yet?)");
    }
    byte[] bytes = head.get().data();
    QueueState state = StateCodec.decode(bytes);
    String format =
        state.scheduleCount() > 0
            ? QueueState.FORMAT_SCHEDULES
            : !state.leasedObjects().isEmpty()
                ? QueueState.FORMAT_LEASES_HELD
                : state.segments().isEmpty() ? QueueState.FORMAT : QueueState.FORMAT_SEGMENTED;
    out.printf(
        "head      %s  %s  revision %,d  %s%n", loc, format, state.revision(), size(bytes.length));
    long ready = 0;
    long scheduled = 0;
    long leased = 0;
    java.time.Instant now = java.time.Instant.now();
    for (Job j : state.liveJobs()) {
      if (j.status() == dev.casq.core.internal.JobStatus.LEASED) {
        leased++;
      } else if (j.runAt().isAfter(now)) {
        scheduled++;
      } else {
        ready++;
      }
    }
    out.printf(
        "          %,d ready, %,d scheduled, %,d leased, %,d finished (not yet archived)"
            + " in the head; %,d cancelled while in a segment%n",
        ready, scheduled, leased, state.finishedJobs().size(), state.cancelledInSegments().size());
    printLeasedObjects(loc, state, out);
    List<QueueState.SegmentRef> refs = state.segments();
    if (refs.isEmpty()) {
      out.println("segments  none");
      return;
    }
    out.printf(
        "%-52s %9s %9s %9s %17s %23s %9s %10s%n",
        "segment", "count", "cursor", "remaining", "priority", "seq", "keys", "bytes");
    long total = 0;
    long remaining = 0;
    for (QueueState.SegmentRef ref : refs) {
      Line l = read(loc, ref);
      total += l.bytes();
      remaining += ref.remaining();
      String priority =
          l.problem() != null
              ? l.problem()
              : l.maxPriority() == null
                  ? "-"
                  : l.maxPriority().equals(l.minPriority())
                      ? String.valueOf(l.maxPriority())
                      : l.maxPriority() + ".." + l.minPriority();
      out.printf(
          "%-52s %,9d %,9d %,9d %17s %23s %,9d %10s%n",
          ref.key(),
          ref.count(),
          ref.cursor(),
          ref.remaining(),
          priority,
          ref.minSeq() + ".." + ref.maxSeq(),
          ref.keys(),
          l.problem() != null ? "-" : size(l.bytes()));
    }
    out.printf(
        "segments  %,d objects, %,d jobs not yet moved back into the head, %s%n",
        refs.size(), remaining, size(total));
  }

  /** One line per leased-jobs object the head names, and their total. */
  private static void printLeasedObjects(StoreLocation loc, QueueState state, PrintWriter out) {
    if (state.leasedObjects().isEmpty()) {
      out.println("leased    no leased-jobs objects");
      return;
    }
    out.printf(
        "%-52s %9s %9s %10s %10s%n",
        "leased-jobs object", "count", "current", "superseded", "bytes");
    long total = 0;
    long current = 0;
    for (QueueState.LeasedObjectRef ref : state.leasedObjects()) {
      Optional<VersionedBytes> v = loc.store().read(ref.key());
      String bytes;
      if (v.isEmpty()) {
        bytes = "MISSING";
      } else {
        try {
          StateCodec.decodeLeased(v.get().data());
          bytes = size(v.get().data().length);
          total += v.get().data().length;
        } catch (CorruptStateException e) {
          bytes = "UNREADABLE";
        }
      }
      current += ref.held();
      out.printf(
          "%-52s %,9d %,9d %,10d %10s%n",
          ref.key(), ref.count(), ref.held(), ref.superseded().size(), bytes);
    }
    out.printf(
        "leased    %,d leased-jobs objects holding %,d leased jobs outside the head, %s%n",
        state.leasedObjects().size(), current, size(total));
  }

  /** The segment's size and the priorities of its remaining jobs (highest..lowest). */
  private static Line read(StoreLocation loc, QueueState.SegmentRef ref) {
    Optional<VersionedBytes> v = loc.store().read(ref.key());
    if (v.isEmpty()) {
      return new Line(ref, 0, null, null, "MISSING");
    }
    byte[] bytes = v.get().data();
    try {
      List<Job> jobs = StateCodec.decodeSegment(bytes);
      if (ref.cursor() >= jobs.size()) {
        return new Line(ref, bytes.length, null, null, null);
      }
      // jobs are in claim order: the highest priority first
      return new Line(
          ref,
          bytes.length,
          jobs.get(ref.cursor()).priority(),
          jobs.get(jobs.size() - 1).priority(),
          null);
    } catch (CorruptStateException e) {
      return new Line(ref, bytes.length, null, null, "UNREADABLE");
    }
  }

  static String size(long n) {
    if (n < 10_000) {
      return n + " B";
    }
    if (n < 10_000_000) {
      return String.format("%.1f KiB", n / 1024.0);
    }
    return String.format("%.1f MiB", n / (1024.0 * 1024));
  }
}
