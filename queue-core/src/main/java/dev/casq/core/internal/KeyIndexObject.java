package dev.casq.core.internal;

import dev.casq.api.CorruptStateException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The key index object written next to an archive object or a segment object: the idempotency keys
 * of its jobs, as 128-bit hashes with each job's seq and a fourth number (an archived job's finish
 * time, or a segmented job's position in its segment), so that an engine that starts (or takes
 * over) knows the keys without reading the jobs. Immutable once written.
 *
 * <p>Format {@code casq-keys/1} (binary, big-endian): the 12 ASCII bytes {@code casq-keys/1\n}, a
 * 4-byte entry count, then per key 32 bytes: the two 64-bit halves of the key's MurmurHash3 x64 128
 * (seed 0, UTF-8 bytes), the job's seq (id {@code j<seq>}) and its finish time in milliseconds
 * since 1970 (archives) or its position in the segment (segments). docs/state-format.md describes
 * it.
 */
final class KeyIndexObject {
  static final String FORMAT = "casq-keys/1";
  private static final byte[] MAGIC = (FORMAT + "\n").getBytes(StandardCharsets.US_ASCII);
  static final int ENTRY_BYTES = 32;

  /**
   * The keys of one archive or segment; {@code finishedAtMillis} holds a segmented job's position
   * in its segment instead of a finish time.
   */
  record Entries(long[] hi, long[] lo, long[] seq, long[] finishedAtMillis) {
    int size() {
      return seq.length;
    }
  }

  private KeyIndexObject() {}

  /**
   * The key of the index object of {@code archiveKey}: the same path under {@code <queue>.keys/}
   * instead of {@code <queue>.archive/}, ending in {@code .keys} instead of {@code .json} (so
   * whatever lists and reads the archives finds only archives there).
   */
  static String keyFor(String archiveKey) {
    int at = archiveKey.lastIndexOf(".archive/");
    String moved =
        at < 0
            ? archiveKey + ".keys/"
            : archiveKey.substring(0, at)
                + ".keys/"
                + archiveKey.substring(at + ".archive/".length());
    return (moved.endsWith(".json") ? moved.substring(0, moved.length() - ".json".length()) : moved)
        + ".keys";
  }

  /**
   * The key of the index object of a segment: {@code <queue>.seg/<ref>.json} has its index at
   * {@code <queue>.segkeys/<ref>.keys} (not under {@code .keys/}, whose objects a bucket lifecycle
   * rule may expire after the key retention: a segment's index lives as long as its segment).
   */
  static String keyForSegment(String segmentKey) {
    int at = segmentKey.lastIndexOf(".seg/");
    String moved =
        at < 0
            ? segmentKey + ".segkeys/"
            : segmentKey.substring(0, at)
                + ".segkeys/"
                + segmentKey.substring(at + ".seg/".length());
    return (moved.endsWith(".json") ? moved.substring(0, moved.length() - ".json".length()) : moved)
        + ".keys";
  }

  /**
   * The entries of a segment's jobs ({@code jobs}, in the segment's order) that carry an
   * idempotency key, with each one's position in the segment.
   */
  static Entries ofSegment(List<Job> jobs, KeyHasher hasher) {
    int n = 0;
    for (Job j : jobs) {
      n += j.idempotencyKey() != null ? 1 : 0;
    }
    Entries e = new Entries(new long[n], new long[n], new long[n], new long[n]);
    int k = 0;
    for (int position = 0; position < jobs.size(); position++) {
      Job j = jobs.get(position);
      if (j.idempotencyKey() != null) {
        KeyHasher.KeyHash h = hasher.hash(j.idempotencyKey());
        e.hi()[k] = h.hi();
        e.lo()[k] = h.lo();
        e.seq()[k] = j.seq();
        e.finishedAtMillis()[k] = position;
        k++;
      }
    }
    return e;
  }

  /** The entries of the finished jobs in {@code jobs} that carry an idempotency key. */
  static Entries of(List<Job> jobs, KeyHasher hasher) {
    List<Job> keyed = new ArrayList<>();
    for (Job j : jobs) {
      if (j.idempotencyKey() != null && j.finishedAt() != null) {
        keyed.add(j);
      }
    }
    int n = keyed.size();
    Entries e = new Entries(new long[n], new long[n], new long[n], new long[n]);
    for (int i = 0; i < n; i++) {
      Job j = keyed.get(i);
      KeyHasher.KeyHash h = hasher.hash(j.idempotencyKey());
      e.hi()[i] = h.hi();
      e.lo()[i] = h.lo();
      e.seq()[i] = j.seq();
      e.finishedAtMillis()[i] = j.finishedAt().toEpochMilli();
    }
    return e;
  }

  static byte[] encode(Entries e) {
    ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + e.size() * ENTRY_BYTES);
    b.put(MAGIC).putInt(e.size());
    for (int i = 0; i < e.size(); i++) {
      b.putLong(e.hi()[i]).putLong(e.lo()[i]).putLong(e.seq()[i]).putLong(e.finishedAtMillis()[i]);
    }
    return b.array();
  }

  /** Decodes an index object; anything but a whole {@code casq-keys/1} object is refused. */
  static Entries decode(byte[] bytes) {
    if (bytes.length < MAGIC.length + 4
        || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptStateException("not a " + FORMAT + " key index object");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, MAGIC.length, bytes.length - MAGIC.length);
    int n = b.getInt();
    if (n < 0 || (long) n * ENTRY_BYTES != b.remaining()) {
      throw new CorruptStateException(
          "key index object says "
              + n
              + " keys but holds "
              + b.remaining()
              + " bytes of entries ("
              + ENTRY_BYTES
              + " a key)");
    }
    Entries e = new Entries(new long[n], new long[n], new long[n], new long[n]);
    for (int i = 0; i < n; i++) {
      e.hi()[i] = b.getLong();
      e.lo()[i] = b.getLong();
      e.seq()[i] = b.getLong();
      e.finishedAtMillis()[i] = b.getLong();
    }
    return e;
  }
}
