package dev.casq.core;

import java.util.Collection;

/**
 * The idempotency keys of one segment object (immutable, like the segment): each key's 128-bit
 * hash with its job's seq and position in the segment, in a {@link KeyTable}, about 33 to 40
 * bytes a key instead of a map entry with two strings per key.
 */
final class SegmentKeys {
  static final SegmentKeys NONE = new SegmentKeys(new KeyTable(1));

  private final KeyTable table;

  private SegmentKeys(KeyTable table) {
    this.table = table;
  }

  /** The keys of {@code jobs}, a segment's jobs in its order. */
  static SegmentKeys of(Collection<Job> jobs, KeyHasher hasher) {
    int keyed = 0;
    for (Job j : jobs) {
      keyed += j.idempotencyKey() != null ? 1 : 0;
    }
    if (keyed == 0) {
      return NONE;
    }
    KeyTable t = new KeyTable(keyed);
    int position = 0;
    for (Job j : jobs) {
      if (j.idempotencyKey() != null) {
        KeyHasher.KeyHash h = hasher.hash(j.idempotencyKey());
        t.put(h.hi(), h.lo(), j.seq(), position);
      }
      position++;
    }
    return new SegmentKeys(t);
  }

  /** Where the key with this hash sits in the segment, or null. */
  QueueState.KeyAt find(KeyHasher.KeyHash h) {
    int slot = table.find(h.hi(), h.lo());
    return slot < 0 ? null
        : new QueueState.KeyAt(QueueStateMachine.jobId(table.seq(slot)), table.aux(slot));
  }

  /** Keys held. */
  int size() {
    return table.size();
  }

  /** Bytes of the table's arrays. */
  long bytes() {
    return table.bytes();
  }
}
