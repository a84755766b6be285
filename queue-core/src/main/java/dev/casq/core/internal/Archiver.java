package dev.casq.core.internal;

import dev.casq.core.EngineOptions;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StorageException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves finished jobs out of the queue object: writes them to a time-bucketed archive object before
 * the commit that drops them, and deletes that object again only when the commit is proven lost
 * (never for a commit that may still land). When the jobs carry idempotency keys, a key index
 * object ({@link KeyIndexObject}) is written next to the archive, before it, and deleted with it.
 */
final class Archiver {
  private static final Logger log = LoggerFactory.getLogger(Archiver.class);
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);

  /** An archive object written for a commit, and its history index objects. */
  record Written(String key, int count, List<String> historyKeys) {}

  private final ObjectStore store;
  private final String queueKey;
  private final EngineOptions options;
  private final Supplier<String> tokens;
  private final ArchivedKeys keys;
  private final EngineMetrics metrics;

  Archiver(
      ObjectStore store,
      String queueKey,
      EngineOptions options,
      ArchivedKeys keys,
      EngineMetrics metrics) {
    this.store = store;
    this.queueKey = queueKey;
    this.options = options;
    this.tokens = options.tokens();
    this.keys = keys;
    this.metrics = metrics;
  }

  /**
   * When enough finished jobs wait, or the oldest waited long enough: writes them all to a new
   * archive object and drops them from {@code state}. Returns what was written, or null.
   */
  Written archiveIfDue(QueueState state, Instant now) {
    List<Job> finished = state.finished;
    if (finished.isEmpty()) {
      return null;
    }
    boolean due =
        finished.size() >= options.archiveBatchSize()
            || !finished.get(0).finishedAt().plus(options.archiveMaxDelay()).isAfter(now);
    if (!due) {
      return null;
    }
    int n = finished.size();
    List<Job> records = new ArrayList<>(finished);
    String token = tokens.get();
    String commitRef = (state.revision + 1) + "-" + token;
    String archiveKey = queueKey + ".archive/" + HOUR.format(now) + "/" + commitRef + ".json";
    List<String> history = writeHistoryIndexes(archiveKey, records, state.revision + 1, token);
    if (history == null) {
      return null;
    }
    boolean indexed = writeKeyIndex(archiveKey, records);
    try {
      store.put(archiveKey, StateCodec.encodeArchive(records, commitRef));
    } catch (StorageException e) {
      log.warn(
          "archive write {} failed ({}); finished jobs stay in the queue object for now",
          archiveKey,
          e.toString());
      if (indexed) {
        delete(KeyIndexObject.keyFor(archiveKey), "its archive could not be written");
      }
      deleteAll(history, "its archive could not be written");
      return null;
    }
    state.dropFinished(n);
    state.counters.archived += n;
    keys.name(state, archiveKey, records, now);
    metrics.recordArchive(n);
    return new Written(archiveKey, n, history);
  }

  /**
   * Deletes the archive object of a commit proven lost (its jobs are back in the state), and its
   * key index object after it.
   */
  void deleteLost(Written archive) {
    if (archive == null) {
      return;
    }
    keys.lost();
    delete(archive.key(), "its commit did not land");
    delete(KeyIndexObject.keyFor(archive.key()), "its commit did not land");
    deleteAll(archive.historyKeys(), "its commit did not land");
  }

  /**
   * Writes the history index objects of an archive (one per block of seqs its jobs fall in), before
   * the archive: a job that leaves the queue object can always be found by its id. Returns their
   * keys, or null when one could not be written (those written are deleted again, and the finished
   * jobs stay in the queue object until the next try).
   */
  private List<String> writeHistoryIndexes(
      String archiveKey, List<Job> records, long revision, String token) {
    java.util.Map<String, byte[]> indexes =
        HistoryIndex.encodeFor(queueKey, archiveKey, records, revision, token);
    List<String> written = new ArrayList<>(indexes.size());
    for (java.util.Map.Entry<String, byte[]> e : indexes.entrySet()) {
      try {
        store.put(e.getKey(), e.getValue());
        written.add(e.getKey());
      } catch (StorageException ex) {
        log.warn(
            "history index write {} failed ({}); finished jobs stay in the queue object for now",
            e.getKey(),
            ex.toString());
        deleteAll(written, "its archive will not be written");
        return null;
      }
    }
    return written;
  }

  private void deleteAll(List<String> objectKeys, String why) {
    for (String k : objectKeys) {
      delete(k, why);
    }
  }

  /** Writes the key index of an archive's keyed jobs; false when there is none (or it failed). */
  private boolean writeKeyIndex(String archiveKey, List<Job> records) {
    KeyIndexObject.Entries entries = KeyIndexObject.of(records, keys.memory().hasher());
    if (entries.size() == 0) {
      return false;
    }
    String indexKey = KeyIndexObject.keyFor(archiveKey);
    try {
      store.put(indexKey, KeyIndexObject.encode(entries));
      return true;
    } catch (StorageException e) {
      // the archive still holds the keys: a starting engine reads it instead (slower)
      log.warn(
          "key index write {} failed ({}); a starting engine reads the archive for its keys",
          indexKey,
          e.toString());
      return false;
    }
  }

  private void delete(String objectKey, String why) {
    try {
      store.delete(objectKey);
    } catch (StorageException e) {
      log.warn("could not delete {} ({}): {}", objectKey, why, e.toString());
    }
  }
}
