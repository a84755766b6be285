package dev.casq.core.internal;

import java.time.Instant;

/**
 * The idempotency keys of finished jobs that an engine knows to be committed, by 128-bit hash, in a
 * {@link KeyTable}: the key's job (its seq) and the second it is forgotten. Owned by the engine and
 * shared by every state it works on (a state's own, not yet committed keys are in its {@link
 * FinishedKeys}). A key is forgotten by time only; its forget time is kept in whole seconds since
 * {@link #FORGET_EPOCH}, rounded up. Confined to the engine's thread.
 */
final class KeyMemory {
  /** Forget times are seconds since this instant (an int reaches 2088). */
  static final Instant FORGET_EPOCH = Instant.parse("2020-01-01T00:00:00Z");

  private final KeyHasher hasher;
  private final KeyTable table;

  KeyMemory(KeyHasher hasher) {
    this(hasher, Long.MAX_VALUE);
  }

  /** A memory whose table stops doubling at {@code capacity} keys (the budget's). */
  KeyMemory(KeyHasher hasher, long capacity) {
    this.hasher = hasher;
    this.table = new KeyTable(0, capacity);
  }

  KeyHasher hasher() {
    return hasher;
  }

  /** Keys held (some may be past their time until the next {@link #expire}). */
  int size() {
    return table.size();
  }

  /** Bytes of the table's arrays. */
  long bytes() {
    return table.bytes();
  }

  /** Makes room for {@code more} keys at once (before loading many). */
  void ensureRoom(int more) {
    table.ensureRoom(more);
  }

  /** The seq of the job a key belongs to while it is remembered at {@code now}, or -1. */
  long seqFor(String key, Instant now) {
    KeyHasher.KeyHash h = hasher.hash(key);
    return seqFor(h.hi(), h.lo(), now);
  }

  long seqFor(long hi, long lo, Instant now) {
    int slot = table.find(hi, lo);
    if (slot < 0 || table.aux(slot) <= nowSecond(now)) {
      return -1;
    }
    return table.seq(slot);
  }

  /** Remembers a key's job until {@code forgetAt}; an entry for the same job is kept if later. */
  void put(String key, long jobSeq, Instant forgetAt) {
    KeyHasher.KeyHash h = hasher.hash(key);
    put(h.hi(), h.lo(), jobSeq, forgetAt);
  }

  void put(long hi, long lo, long jobSeq, Instant forgetAt) {
    put(hi, lo, jobSeq, forgetSecond(forgetAt));
  }

  /** As {@link #put(long, long, long, Instant)}, with the forget time in seconds already. */
  void put(long hi, long lo, long jobSeq, int second) {
    table.putIfNewer(hi, lo, jobSeq, second);
  }

  /** Forgets the keys whose time has come (oldest first; O(1) per key forgotten). */
  int expire(Instant now) {
    return table.expireOldest(nowSecond(now));
  }

  /** The seq of a job id {@code j<seq>}. */
  static long seqOf(String jobId) {
    if (jobId.length() < 2 || jobId.charAt(0) != 'j') {
      throw new IllegalArgumentException("not a job id: " + jobId);
    }
    return Long.parseLong(jobId, 1, jobId.length(), 10);
  }

  /** Whole seconds since {@link #FORGET_EPOCH}, rounded up, within an int. */
  static int forgetSecond(Instant forgetAt) {
    long s =
        forgetAt.getEpochSecond()
            - FORGET_EPOCH.getEpochSecond()
            + (forgetAt.getNano() > 0 ? 1 : 0);
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, s));
  }

  /** {@link #forgetSecond(Instant)} of an instant in milliseconds since 1970. */
  static int forgetSecond(long epochMillis) {
    long s =
        Math.floorDiv(epochMillis, 1000)
            - FORGET_EPOCH.getEpochSecond()
            + (Math.floorMod(epochMillis, 1000) > 0 ? 1 : 0);
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, s));
  }

  /** The seconds since {@link #FORGET_EPOCH} of {@code now}, rounded down. */
  static int nowSecond(Instant now) {
    long s = now.getEpochSecond() - FORGET_EPOCH.getEpochSecond();
    return (int) Math.max(-1, Math.min(Integer.MAX_VALUE - 1, s));
  }
}
