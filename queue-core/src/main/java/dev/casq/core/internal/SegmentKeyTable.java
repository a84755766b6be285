package dev.casq.core.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The idempotency keys of every segment object the engine indexed, in one table: each key's hash
 * (96 of its 128 bits kept, as in {@link KeyTable}) with its job's seq, its segment and its
 * position there, so that a keyed push probes one table whatever the number of segments.
 *
 * <p>A hash may have several entries: the same job sits in a merged segment and in the segments it
 * replaces while the commit that merges them is in flight, and a key whose job left a segment (and
 * finished and was forgotten) may be used again by a job in a later segment. {@link #find} returns
 * them all; the caller judges each against its state (is the segment named, is the position at or
 * after its cursor, is the job cancelled).
 *
 * <p>Entries live in parallel primitive arrays (24 + 4 bytes an entry, plus 4 to 10.7 bytes of
 * open-addressing index); a dropped segment's entries are skipped until the dropped entries are as
 * many as the live ones, when the table is rebuilt without them. Not thread-safe.
 */
final class SegmentKeyTable {
  /** Bytes of one entry in the arrays: 96 bits of hash, a seq, a position and a segment. */
  static final int BYTES_PER_ENTRY = 8 + 4 + 8 + 4 + 4;

  private static final int MIN_ENTRIES = 12;

  /** An entry whose hash matched: the job's seq, its segment and its position there. */
  record Hit(String segment, long seq, int position) {}

  private long[] hi;
  private int[] lo;
  private long[] seq;
  private int[] position;
  private int[] segment; // handle: index into names
  private int used; // entries appended, live or dropped
  private int dead; // entries of dropped segments
  private int[] index; // entry + 1, 0 = empty
  private int mask;
  private final List<String> names = new ArrayList<>(); // handle -> segment key, null: dropped
  private final List<Integer> counts = new ArrayList<>(); // handle -> entries
  private final Map<String, Integer> handles = new HashMap<>();

  SegmentKeyTable() {
    allocate(MIN_ENTRIES);
  }

  /** Whether the keys of this segment are in the table (possibly none). */
  boolean contains(String segmentKey) {
    return handles.containsKey(segmentKey);
  }

  /** Segments whose keys are in the table. */
  Set<String> segments() {
    return handles.keySet();
  }

  /** Live entries (keys of segments not dropped). */
  int size() {
    return used - dead;
  }

  /** Bytes of the arrays this table holds now. */
  long bytes() {
    return (long) hi.length * BYTES_PER_ENTRY + (long) index.length * 4;
  }

  /**
   * Adds the keys of a segment ({@code e}: a segment's key index, positions in its last column);
   * nothing changes when the segment's keys are in the table already.
   */
  void add(String segmentKey, KeyIndexObject.Entries e) {
    if (handles.containsKey(segmentKey)) {
      return;
    }
    if ((long) used + e.size() > hi.length) {
      rebuild((long) size() + e.size());
    }
    int handle = names.size();
    names.add(segmentKey);
    counts.add(e.size());
    handles.put(segmentKey, handle);
    for (int i = 0; i < e.size(); i++) {
      append(e.hi()[i], e.lo()[i], e.seq()[i], (int) e.finishedAtMillis()[i], handle);
    }
  }

  /** Makes room for {@code more} entries beyond those appended, growing once if needed. */
  void ensureRoom(long more) {
    if (used + more > hi.length) {
      rebuild(size() + more);
    }
  }

  /** Drops the keys of a segment (no-op when it is not in the table). */
  void drop(String segmentKey) {
    Integer handle = handles.remove(segmentKey);
    if (handle == null) {
      return;
    }
    names.set(handle, null);
    dead += counts.get(handle);
    counts.set(handle, 0);
    if (dead > MIN_ENTRIES && dead >= size()) {
      rebuild(Math.max(MIN_ENTRIES, 2L * size()));
    }
  }

  /** Drops the keys of every segment not in {@code keep}. */
  void retain(Set<String> keep) {
    for (String key : new ArrayList<>(handles.keySet())) {
      if (!keep.contains(key)) {
        drop(key);
      }
    }
  }

  /** Every live entry with this hash (usually none: then an empty immutable list). */
  List<Hit> find(long h1, long h2) {
    List<Hit> hits = List.of();
    for (int i = spread(h1, (int) h2) & mask; ; i = (i + 1) & mask) {
      int s = index[i] - 1;
      if (s < 0) {
        return hits;
      }
      if (hi[s] == h1 && lo[s] == (int) h2) {
        String name = names.get(segment[s]);
        if (name != null) {
          if (hits.isEmpty()) {
            hits = new ArrayList<>(2);
          }
          hits.add(new Hit(name, seq[s], position[s]));
        }
      }
    }
  }

  private void append(long h1, long h2, long entrySeq, int entryPosition, int handle) {
    int s = used++;
    hi[s] = h1;
    lo[s] = (int) h2;
    seq[s] = entrySeq;
    position[s] = entryPosition;
    segment[s] = handle;
    int i = spread(h1, (int) h2) & mask;
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    index[i] = s + 1;
  }

  /**
   * Rebuilds the table with room for {@code entries} entries (at least the live ones, doubled if
   * that leaves little room to grow), without the dropped segments, whose handles are reused.
   */
  private void rebuild(long entries) {
    long[] oldHi = hi;
    int[] oldLo = lo;
    long[] oldSeq = seq;
    int[] oldPosition = position;
    int[] oldSegment = segment;
    int oldUsed = used;
    List<String> oldNames = new ArrayList<>(names);
    List<Integer> oldCounts = new ArrayList<>(counts);
    int[] renumbered = new int[oldNames.size()];
    names.clear();
    counts.clear();
    handles.clear();
    for (int h = 0; h < oldNames.size(); h++) {
      if (oldNames.get(h) != null) {
        renumbered[h] = names.size();
        handles.put(oldNames.get(h), names.size());
        names.add(oldNames.get(h));
        counts.add(oldCounts.get(h));
      } else {
        renumbered[h] = -1;
      }
    }
    long live = oldUsed - dead;
    long room = Math.max(entries, live);
    if (room > oldHi.length && room < 2L * oldHi.length) {
      room = 2L * oldHi.length; // grow by doubling: adds stay amortized O(1)
    }
    allocate(Math.max(MIN_ENTRIES, room));
    for (int s = 0; s < oldUsed; s++) {
      int h = renumbered[oldSegment[s]];
      if (h >= 0) {
        append(oldHi[s], oldLo[s], oldSeq[s], oldPosition[s], h);
      }
    }
  }

  private void allocate(long entries) {
    int indexLength = KeyTable.indexLengthFor(entries);
    int slots = (int) entries;
    hi = new long[slots];
    lo = new int[slots];
    seq = new long[slots];
    position = new int[slots];
    segment = new int[slots];
    index = new int[indexLength];
    mask = indexLength - 1;
    used = 0;
    dead = 0;
  }

  private static int spread(long h1, long h2) {
    long h = h1 ^ (h2 >>> 29);
    return (int) (h ^ (h >>> 32));
  }

  @Override
  public String toString() {
    return "SegmentKeyTable[segments="
        + handles.size()
        + ", keys="
        + size()
        + ", dropped="
        + dead
        + ", capacity="
        + hi.length
        + "]";
  }
}
