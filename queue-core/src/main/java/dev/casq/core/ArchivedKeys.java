package dev.casq.core;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.VersionedBytes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotency keys of finished jobs, which the queue object does not hold: they are rebuilt
 * after every read from the finished jobs still in the object and from the archive objects it
 * names (each read once, then cached). Confined to the engine's thread.
 */
final class ArchivedKeys {
  private static final Logger log = LoggerFactory.getLogger(ArchivedKeys.class);

  private record ArchivedKey(String key, String jobId, Instant forgetAt) {}

  private final ObjectStore store;
  private final String queueKey;
  private final QueuePolicy policy;
  private final Map<String, List<ArchivedKey>> byArchive = new HashMap<>();

  ArchivedKeys(ObjectStore store, String queueKey, QueuePolicy policy) {
    this.store = store;
    this.queueKey = queueKey;
    this.policy = policy;
  }

  /** Remembers in {@code state} the keys of the archives it names and of its finished jobs. */
  void restore(QueueState state, Instant now) {
    int max = policy.maxRememberedKeys();
    if (max <= 0) {
      return;
    }
    Set<String> named = new HashSet<>();
    for (QueueState.ArchiveRef a : state.archives) {
      named.add(a.key());
      if (!a.at().plus(policy.idempotencyRetention()).isAfter(now)) {
        continue; // every key in it is forgotten by now
      }
      for (ArchivedKey k : byArchive.computeIfAbsent(a.key(), this::read)) {
        if (k.forgetAt().isAfter(now)) {
          state.remember(k.key(), k.jobId(), k.forgetAt(), max);
        }
      }
    }
    byArchive.keySet().retainAll(named);
    for (Job j : state.finished) {
      Instant forgetAt = j.finishedAt().plus(policy.idempotencyRetention());
      if (j.idempotencyKey() != null && forgetAt.isAfter(now)) {
        state.remember(j.idempotencyKey(), j.id(), forgetAt, max);
      }
    }
  }

  /**
   * Names a new archive object in the state while its jobs' keys may be remembered, and stops
   * naming the oldest ones once their keys are all forgotten (by time, or because newer archives
   * alone hold as many keys as are remembered at most).
   */
  void name(QueueState state, String archiveKey, List<Job> records, Instant now) {
    List<QueueState.ArchiveRef> named = state.archives;
    List<ArchivedKey> keys = keysOf(records);
    if (!keys.isEmpty() && policy.maxRememberedKeys() > 0
        && !policy.idempotencyRetention().isZero()) {
      named.add(new QueueState.ArchiveRef(archiveKey, keys.size(), now));
      byArchive.put(archiveKey, keys);
    }
    while (!named.isEmpty()
        && !named.get(0).at().plus(policy.idempotencyRetention()).isAfter(now)) {
      named.remove(0);
    }
    long newer = 0;
    for (int i = named.size() - 1; i >= 0; i--) {
      if (newer >= policy.maxRememberedKeys()) {
        named.subList(0, i + 1).clear(); // newer archives hold enough keys already
        break;
      }
      newer += named.get(i).keys();
    }
  }

  private List<ArchivedKey> read(String archiveKey) {
    try {
      Optional<VersionedBytes> archive = store.read(archiveKey);
      if (archive.isEmpty()) {
        log.warn("archive object {} named by {} is missing; the idempotency keys of its jobs are"
            + " forgotten", archiveKey, queueKey);
        return List.of();
      }
      return keysOf(StateCodec.decodeArchive(archive.get().data()));
    } catch (CorruptStateException e) {
      log.warn("archive object {} cannot be read ({}); the idempotency keys of its jobs are"
          + " forgotten", archiveKey, e.getMessage());
      return List.of();
    }
  }

  private List<ArchivedKey> keysOf(List<Job> jobs) {
    Duration retention = policy.idempotencyRetention();
    List<ArchivedKey> keys = new ArrayList<>();
    for (Job j : jobs) {
      if (j.idempotencyKey() != null && j.finishedAt() != null) {
        keys.add(new ArchivedKey(j.idempotencyKey(), j.id(), j.finishedAt().plus(retention)));
      }
    }
    return keys;
  }
}
