package dev.casq.core.internal;

import dev.casq.api.CorruptStateException;
import dev.casq.core.QueuePolicy;
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
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotency keys of finished jobs, which the queue object does not hold: the engine's {@link
 * KeyMemory} of committed keys, filled from the finished jobs of every state it reads and from the
 * key index objects ({@link KeyIndexObject}) of the archives those states name (each read once,
 * many at a time, falling back to the archive itself when an archive has no index), and from the
 * keys of its own commits as they land. Confined to the engine's thread (the loading threads only
 * read and decode).
 */
final class ArchivedKeys {
  private static final Logger log = LoggerFactory.getLogger(ArchivedKeys.class);

  private final ObjectStore store;
  private final String queueKey;
  private final QueuePolicy policy;
  private final KeyMemory memory;
  private final boolean parallel;
  private final EngineMetrics metrics;
  private final Set<String> loaded = new HashSet<>(); // archives whose keys are in the memory
  // archives named by this engine's write in flight: their keys, not yet committed
  private final Map<String, List<Job>> pending = new HashMap<>();
  private final AtomicLong indexReads = new AtomicLong();
  private final AtomicLong archiveReads = new AtomicLong();
  private boolean budgetWarned;

  ArchivedKeys(
      ObjectStore store,
      String queueKey,
      QueuePolicy policy,
      KeyHasher hasher,
      boolean parallel,
      EngineMetrics metrics) {
    this.store = store;
    this.queueKey = queueKey;
    this.policy = policy;
    this.memory = new KeyMemory(hasher, policy.idempotencyKeyCapacity());
    this.parallel = parallel;
    this.metrics = metrics;
  }

  KeyMemory memory() {
    return memory;
  }

  /** Key index objects read since the engine started. */
  long indexReads() {
    return indexReads.get();
  }

  /** Archive objects read for their keys (archives without a key index) since the start. */
  long archiveReads() {
    return archiveReads.get();
  }

  /**
   * Gives {@code state} the engine's memory of committed keys, and completes it with the keys of
   * the state's finished jobs and of the archives it names.
   *
   * @param committed whether the state is known to be committed (read from the store, or the one
   *     the last landed write wrote); the sealed state of a write still in flight is not, and its
   *     own keys stay with it until that write lands
   */
  void restore(QueueState state, Instant now, boolean committed) {
    state.finishedKeys.attach(memory);
    memory.expire(now);
    Duration retention = policy.idempotencyRetention();
    Set<String> named = new HashSet<>();
    List<QueueState.ArchiveRef> toLoad = new ArrayList<>();
    for (QueueState.ArchiveRef a : state.archives) {
      named.add(a.key());
      if (loaded.contains(a.key()) || !a.at().plus(retention).isAfter(now)) {
        continue; // known, or every key in it is forgotten by now
      }
      List<Job> own = pending.get(a.key());
      if (own != null) {
        if (committed) {
          rememberCommitted(own, now);
          loaded.add(a.key());
          pending.remove(a.key());
        } else {
          for (Job j : own) {
            rememberInState(state, j, now);
          }
        }
      } else {
        toLoad.add(a);
      }
    }
    if (!toLoad.isEmpty()) {
      load(toLoad, now);
    }
    if (committed) {
      loaded.retainAll(named);
    }
    for (Job j : state.finished) {
      if (committed) {
        rememberCommitted(List.of(j), now);
      } else {
        rememberInState(state, j, now);
      }
    }
  }

  /**
   * Names a new archive object in the state while its jobs' keys may be remembered, and stops
   * naming the oldest ones once their keys are all forgotten (by time only).
   */
  void name(QueueState state, String archiveKey, List<Job> records, Instant now) {
    List<QueueState.ArchiveRef> named = state.archives;
    int keys = 0;
    for (Job j : records) {
      keys += j.idempotencyKey() != null ? 1 : 0;
    }
    if (keys > 0 && !policy.idempotencyRetention().isZero()) {
      named.add(new QueueState.ArchiveRef(archiveKey, keys, now));
      pending.put(archiveKey, records);
    }
    while (!named.isEmpty()
        && !named.get(0).at().plus(policy.idempotencyRetention()).isAfter(now)) {
      named.remove(0);
    }
  }

  /** After the write of {@code revision} landed: its keys and archives are committed. */
  void landed(QueueState state, long revision) {
    state.finishedKeys.landed(revision);
    for (QueueState.ArchiveRef a : state.archives) {
      if (pending.remove(a.key()) != null) {
        loaded.add(a.key());
      }
    }
    pending.clear();
    metrics.recordKeysHeld(state.keysHeld());
    if (budgetWarned && state.keysHeld() < policy.idempotencyKeyCapacity() * 9 / 10) {
      budgetWarned = false;
      log.info(
          "queue {} holds {} idempotency keys, under 90% of its idempotencyMemoryBudget"
              + " again; keyed pushes are accepted",
          queueKey, state.keysHeld());
    }
  }

  /** After the write in flight was proven lost: its archive's keys were never committed. */
  void lost() {
    pending.clear();
  }

  /** A keyed push was refused at the budget: counted, and logged once until under it again. */
  void budgetReached(QueueState state) {
    metrics.recordKeyBudgetRefusal();
    if (!budgetWarned) {
      budgetWarned = true;
      log.warn(
          "queue {} holds {} idempotency keys, as many as its idempotencyMemoryBudget of {}"
              + " bytes allows: pushes with a new idempotency key are refused (HTTP 429"
              + " idempotency_budget) until keys older than the idempotencyRetention of {} are"
              + " forgotten; raise the budget or shorten the retention",
          queueKey,
          state.keysHeld(),
          policy.idempotencyMemoryBudget(),
          policy.idempotencyRetention());
    }
  }

  private void rememberCommitted(List<Job> jobs, Instant now) {
    for (Job j : jobs) {
      Instant forgetAt = forgetAt(j);
      if (forgetAt != null && forgetAt.isAfter(now)) {
        memory.put(j.idempotencyKey(), j.seq(), forgetAt);
      }
    }
  }

  private void rememberInState(QueueState state, Job j, Instant now) {
    Instant forgetAt = forgetAt(j);
    if (forgetAt != null && forgetAt.isAfter(now)) {
      state.finishedKeys.remember(j.idempotencyKey(), j.id(), forgetAt, state.revision - 1);
    }
  }

  private Instant forgetAt(Job j) {
    if (j.idempotencyKey() == null || j.finishedAt() == null) {
      return null;
    }
    return Instants.saturatingPlus(j.finishedAt(), policy.idempotencyRetention());
  }

  /** Reads the key index objects of {@code refs} (many at once) into the memory. */
  private void load(List<QueueState.ArchiveRef> refs, Instant now) {
    long started = System.nanoTime();
    List<KeyIndexObject.Entries> all =
        KeyIndexReads.readAll(refs, a -> entriesOf(a.key()), parallel, queueKey);
    long read = System.nanoTime();
    long total = 0;
    for (KeyIndexObject.Entries e : all) {
      total += e.size();
    }
    memory.ensureRoom((int) Math.min(Integer.MAX_VALUE / 2, total));
    long retentionMillis = policy.idempotencyRetention().toMillis();
    long nowMillis = now.toEpochMilli();
    for (KeyIndexObject.Entries e : all) {
      for (int i = 0; i < e.size(); i++) {
        long forgetMillis = e.finishedAtMillis()[i] + retentionMillis;
        if (forgetMillis > nowMillis) {
          memory.put(e.hi()[i], e.lo()[i], e.seq()[i], KeyMemory.forgetSecond(forgetMillis));
        }
      }
    }
    for (QueueState.ArchiveRef a : refs) {
      loaded.add(a.key());
    }
    if (refs.size() > 1) {
      long end = System.nanoTime();
      log.info(
          "queue {}: remembered {} idempotency keys from {} key index objects in {} ms"
              + " ({} ms reading, {} ms indexing)",
          queueKey,
          total,
          refs.size(),
          (end - started) / 1_000_000,
          (read - started) / 1_000_000,
          (end - read) / 1_000_000);
    }
  }

  /** The keys of one archive: from its key index object, or from the archive when it has none. */
  private KeyIndexObject.Entries entriesOf(String archiveKey) {
    String indexKey = KeyIndexObject.keyFor(archiveKey);
    indexReads.incrementAndGet();
    Optional<VersionedBytes> index = store.read(indexKey);
    if (index.isPresent()) {
      try {
        return KeyIndexObject.decode(index.get().data());
      } catch (CorruptStateException e) {
        log.warn(
            "key index object {} cannot be read ({}); reading its archive instead",
            indexKey,
            e.getMessage());
      }
    }
    archiveReads.incrementAndGet();
    try {
      Optional<VersionedBytes> archive = store.read(archiveKey);
      if (archive.isEmpty()) {
        log.warn(
            "archive object {} named by {} is missing, and so is its key index; the"
                + " idempotency keys of its jobs are forgotten",
            archiveKey,
            queueKey);
        return KeyIndexObject.of(List.of(), memory.hasher());
      }
      return KeyIndexObject.of(StateCodec.decodeArchive(archive.get().data()), memory.hasher());
    } catch (CorruptStateException e) {
      log.warn(
          "archive object {} cannot be read ({}); the idempotency keys of its jobs are"
              + " forgotten",
          archiveKey,
          e.getMessage());
      return KeyIndexObject.of(List.of(), memory.hasher());
    }
  }
}
