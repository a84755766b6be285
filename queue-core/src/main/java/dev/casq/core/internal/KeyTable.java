package dev.casq.core.internal;

import java.util.Arrays;

/**
 * A compact map from key hashes to a job's seq and an int (a key's forget time, or its position in
 * a segment), for millions of idempotency keys: no object per key. Of each 128-bit key hash it
 * keeps 96 bits (the high half and 32 bits of the low half): two different keys then match by
 * chance with a probability of about n / 2^96 per lookup among n keys (below 10^-22 for ten million
 * keys).
 *
 * <p>Entries live in parallel primitive arrays in insertion order, used as a ring (so the oldest
 * entries can be dropped first: {@link #expireOldest}); an open-addressing index of int slots
 * (linear probing, at most 3/4 full, backward-shift deletion, so no tombstones in the index) points
 * into the ring. One entry costs 24 bytes in the ring (hash 12, seq 8, int 4) plus 4 to 10.7 bytes
 * of index per ring slot (the index is a power of two at most 3/4 full). The ring doubles when it
 * is full, but not beyond {@code maxRing} slots (past it, it grows by an eighth: an entry is never
 * refused): so a table capped at the entries a budget allows takes at most about 35 bytes an entry
 * when full. Not thread-safe.
 */
final class KeyTable {
  /** Bytes of one ring slot: 96 bits of hash, a seq and an int. */
  static final int RING_BYTES_PER_SLOT = 8 + 4 + 8 + 4;

  static final long REMOVED = Long.MIN_VALUE; // seq of an entry removed from the middle of the ring
  private static final int MIN_INDEX = 16;
  private static final int MAX_INDEX = 1 << 30;

  private long[] hi;
  private int[] lo; // the low 32 bits of the hash's low half: 96 bits of hash are kept
  private long[] seq;
  private int[] aux;
  private int[] index; // ring slot + 1, 0 = empty
  private int mask;
  private int head; // ring slot of the oldest entry
  private int used; // ring slots from head on that hold an entry or a removed one
  private int size; // live entries
  private final long maxRing;

  KeyTable() {
    this(0);
  }

  /** A table that holds {@code expected} entries without growing. */
  KeyTable(int expected) {
    this(expected, Long.MAX_VALUE);
  }

  /**
   * A table that holds {@code expected} entries without growing, and whose growth by doubling stops
   * at {@code maxRing} slots (past it, it grows by an eighth at a time).
   */
  KeyTable(int expected, long maxRing) {
    this.maxRing = Math.max(1, maxRing);
    allocate(Math.max(expected, 12));
  }

  /** Live entries. */
  int size() {
    return size;
  }

  /** Bytes of the arrays this table holds now (its memory, apart from a few object headers). */
  long bytes() {
    return (long) hi.length * RING_BYTES_PER_SLOT + (long) index.length * 4;
  }

  /** Ring slots (entries it holds without growing). */
  int capacity() {
    return hi.length;
  }

  /** Makes room for {@code more} entries beyond the slots in use, growing once if needed. */
  void ensureRoom(int more) {
    long needed = (long) used + more;
    if (needed > hi.length) {
      grow(needed);
    }
  }

  /**
   * The ring slot of the entry with this hash, or -1.
   *
   * @param h1 the high half of the hash
   * @param h2 the low half of the hash
   */
  int find(long h1, long h2) {
    for (int i = spread(h1, (int) h2) & mask; ; i = (i + 1) & mask) {
      int s = index[i] - 1;
      if (s < 0) {
        return -1;
      }
      if (hi[s] == h1 && lo[s] == (int) h2) {
        return s;
      }
    }
  }

  /** The seq of the entry in ring slot {@code slot}. */
  long seq(int slot) {
    return seq[slot];
  }

  /** The int of the entry in ring slot {@code slot}. */
  int aux(int slot) {
    return aux[slot];
  }

  /**
   * Puts an entry; an entry with the same hash is replaced (removed and added as the newest).
   *
   * @return the ring slot of the new entry
   */
  int put(long h1, long h2, long entrySeq, int entryAux) {
    int old = find(h1, h2);
    if (old >= 0) {
      removeSlot(old);
    }
    if (used == hi.length) {
      long needed = (long) size + 1;
      long len = hi.length;
      // many removed entries: compact in place; else double up to maxRing, then by an eighth
      long next = len < maxRing ? Math.min(2 * len, maxRing) : len + Math.max(1, len / 8);
      grow(needed <= len / 2 ? len : Math.max(needed, next));
    }
    int i = spread(h1, (int) h2) & mask;
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    return append(i, h1, h2, entrySeq, entryAux);
  }

  /** Adds an entry as the newest in the ring and points the free index cell {@code i} at it. */
  private int append(int i, long h1, long h2, long entrySeq, int entryAux) {
    int s = ringSlot(used);
    hi[s] = h1;
    lo[s] = (int) h2;
    seq[s] = entrySeq;
    aux[s] = entryAux;
    used++;
    size++;
    index[i] = s + 1;
    return s;
  }

  /**
   * Puts an entry unless one with the same hash and seq and an int at least as large is there (then
   * nothing changes), in one probe of the index in the common case of a new hash.
   *
   * @return whether the table changed
   */
  boolean putIfNewer(long h1, long h2, long entrySeq, int entryAux) {
    if (used == hi.length) {
      int old = find(h1, h2);
      if (old >= 0 && seq[old] == entrySeq && aux[old] >= entryAux) {
        return false;
      }
      put(h1, h2, entrySeq, entryAux); // grows first
      return true;
    }
    int i = spread(h1, (int) h2) & mask;
    for (; ; i = (i + 1) & mask) {
      int s = index[i] - 1;
      if (s < 0) {
        break;
      }
      if (hi[s] == h1 && lo[s] == (int) h2) {
        if (seq[s] == entrySeq && aux[s] >= entryAux) {
          return false;
        }
        put(h1, h2, entrySeq, entryAux); // replaces it
        return true;
      }
    }
    append(i, h1, h2, entrySeq, entryAux);
    return true;
  }

  /** Removes the entry with this hash; returns whether there was one. */
  boolean remove(long h1, long h2) {
    int s = find(h1, h2);
    if (s < 0) {
      return false;
    }
    removeSlot(s);
    return true;
  }

  /**
   * Drops entries from the oldest on while their int is at most {@code upTo} (entries removed
   * earlier are dropped on the way). Stops at the first entry with a larger int: when the ints are
   * forget times, which grow with insertion, this forgets exactly the keys whose time came.
   *
   * @return how many live entries were dropped
   */
  int expireOldest(int upTo) {
    int dropped = 0;
    while (used > 0) {
      int s = head;
      if (seq[s] != REMOVED) {
        if (aux[s] > upTo) {
          break;
        }
        unindex(s);
        size--;
        dropped++;
      }
      head = (head + 1) % hi.length;
      used--;
    }
    if (used == 0) {
      head = 0;
    }
    return dropped;
  }

  /** The int of the oldest live entry, or {@code Integer.MAX_VALUE} when there is none. */
  int oldestAux() {
    for (int k = 0; k < used; k++) {
      int s = ringSlot(k);
      if (seq[s] != REMOVED) {
        return aux[s];
      }
    }
    return Integer.MAX_VALUE;
  }

  private void removeSlot(int s) {
    unindex(s);
    seq[s] = REMOVED;
    size--;
  }

  /** Removes the index cell pointing at ring slot {@code s}, shifting later cells back. */
  private void unindex(int s) {
    int i = spread(hi[s], lo[s]) & mask;
    while (index[i] != s + 1) {
      if (index[i] == 0) {
        throw new IllegalStateException("key table entry " + s + " missing from its index");
      }
      i = (i + 1) & mask;
    }
    int gap = i;
    for (int j = (gap + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
      int t = index[j] - 1;
      int home = spread(hi[t], lo[t]) & mask;
      // move j back into the gap unless its home lies cyclically in (gap, j]
      boolean homeBetween = gap <= j ? (home > gap && home <= j) : (home > gap || home <= j);
      if (!homeBetween) {
        index[gap] = index[j];
        gap = j;
      }
    }
    index[gap] = 0;
  }

  private int ringSlot(int k) {
    int s = head + k;
    return s >= hi.length ? s - hi.length : s;
  }

  private void grow(long ring) {
    long[] oldHi = hi;
    int[] oldLo = lo;
    long[] oldSeq = seq;
    int[] oldAux = aux;
    int oldHead = head;
    int oldUsed = used;
    allocate(ring);
    for (int k = 0; k < oldUsed; k++) {
      int s = (oldHead + k) % oldHi.length;
      if (oldSeq[s] != REMOVED) {
        put(oldHi[s], oldLo[s], oldSeq[s], oldAux[s]);
      }
    }
  }

  private void allocate(long ring) {
    int indexLength = indexLengthFor(ring);
    int slots = (int) ring;
    hi = new long[slots];
    lo = new int[slots];
    seq = new long[slots];
    aux = new int[slots];
    index = new int[indexLength];
    mask = indexLength - 1;
    head = 0;
    used = 0;
    size = 0;
  }

  /** The smallest index (a power of two) that is at most 3/4 full with {@code entries}. */
  static int indexLengthFor(long entries) {
    long n = MIN_INDEX;
    while (n / 4 * 3 < entries) {
      if (n >= MAX_INDEX) {
        throw new IllegalStateException(
            "a key table holds at most " + (MAX_INDEX / 4 * 3) + " entries, asked for " + entries);
      }
      n <<= 1;
    }
    return (int) n;
  }

  private static int spread(long h1, long h2) {
    long h = h1 ^ (h2 >>> 29);
    return (int) (h ^ (h >>> 32));
  }

  @Override
  public String toString() {
    return "KeyTable[size=" + size + ", ring=" + hi.length + ", index=" + index.length + "]";
  }

  /** For tests: the index cells (ring slot + 1, 0 = empty). */
  int[] indexCells() {
    return Arrays.copyOf(index, index.length);
  }
}
