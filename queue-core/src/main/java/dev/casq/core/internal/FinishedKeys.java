package dev.casq.core.internal;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The idempotency keys of a state's finished jobs: those the engine knows to be committed (its
 * shared {@link KeyMemory}) and those this state remembered since (finished by commands not yet
 * known to have landed, by exact key). When a write lands, the keys it committed move into the
 * memory ({@link #landed}); a state that is thrown away takes its own keys with it, so a key of a
 * commit that lost its race is never remembered. Not written into the queue object.
 */
final class FinishedKeys {
  private record Recent(String jobId, Instant forgetAt, long revision) {}

  private final LinkedHashMap<String, Recent> recent = new LinkedHashMap<>();
  private KeyMemory memory = new KeyMemory(KeyHasher.MURMUR3);

  /** Shares the engine's memory of committed keys (a state starts with one of its own). */
  void attach(KeyMemory shared) {
    this.memory = shared;
  }

  KeyMemory memory() {
    return memory;
  }

  /**
   * Remembers a key finished by a command applied while the state was at {@code revision} (it is
   * committed by the write of revision + 1).
   */
  void remember(String key, String jobId, Instant forgetAt, long revision) {
    recent.remove(key);
    recent.put(key, new Recent(jobId, forgetAt, revision));
  }

  /** The job a key belongs to while it is remembered at {@code now}, or null. */
  String jobFor(String key, Instant now) {
    Recent r = recent.get(key);
    if (r != null && r.forgetAt().isAfter(now)) {
      return r.jobId();
    }
    long seq = memory.seqFor(key, now);
    return seq < 0 ? null : QueueStateMachine.jobId(seq);
  }

  /** Forgets the keys whose time has come. */
  void forget(Instant now) {
    Iterator<Recent> it = recent.values().iterator();
    while (it.hasNext()) {
      if (it.next().forgetAt().isAfter(now)) {
        break; // insertion order is forget order: retention is one constant per queue
      }
      it.remove();
    }
    memory.expire(now);
  }

  /** Keys remembered (committed and not yet committed). */
  int size() {
    return memory.size() + recent.size();
  }

  /** After the write of {@code revision} landed: the keys it committed move into the memory. */
  void landed(long revision) {
    Iterator<Map.Entry<String, Recent>> it = recent.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Recent> e = it.next();
      Recent r = e.getValue();
      if (r.revision() < revision) {
        memory.put(e.getKey(), KeyMemory.seqOf(r.jobId()), r.forgetAt());
        it.remove();
      }
    }
  }

  /** The keys not yet committed, key to "jobId@forgetAt" (for tests comparing states). */
  Map<String, String> recentSnapshot() {
    Map<String, String> out = new LinkedHashMap<>();
    recent.forEach((k, r) -> out.put(k, r.jobId() + "@" + r.forgetAt()));
    return out;
  }
}
