package dev.casq.core.internal;

import dev.casq.api.CorruptStateException;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.VersionedBytes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds archived jobs through the history index objects ({@link HistoryIndex}): by id, with one
 * listing of the id's block and a read of the indexes whose seq range holds it; or in seq order
 * with a filter, block after block. When a job was archived more than once (a dead job that was
 * retried and finished again, or purged) the record of the newest commit counts; a purged job is
 * not found. Index and archive objects never change, so the few read last are cached. Thread-safe;
 * it does I/O, so it runs off the engine's thread.
 */
public final class History {
  private static final Logger log = LoggerFactory.getLogger(History.class);
  private static final int CACHED_INDEXES = 512;
  private static final int CACHED_ARCHIVES = 16;

  private final ObjectStore store;
  private final String queueKey;
  private final Map<String, HistoryIndex.Contents> indexes = lru(CACHED_INDEXES);
  private final Map<String, List<Job>> archives = lru(CACHED_ARCHIVES);
  private final AtomicLong listings = new AtomicLong();
  private final AtomicLong objectReads = new AtomicLong();

  /** An archived job as the newest record of its id says. */
  record Found(HistoryIndex.Entry entry, String archiveKey, long revision) {}

  /**
   * Archived jobs from a scan: {@code found} in seq order, and the highest seq up to which every
   * archived job was looked at ({@code Long.MAX_VALUE} when the scan reached the end).
   */
  record Scan(List<Found> found, long coveredTo) {}

  /**
   * The history of the queue object {@code queueKey} in {@code store}.
   *
   * @param store the store that holds the queue's archives
   * @param queueKey the key of the queue object
   */
  public History(ObjectStore store, String queueKey) {
    this.store = store;
    this.queueKey = queueKey;
  }

  /**
   * Store listings made so far (for tests and benchmarks of the lookup cost).
   *
   * @return the count
   */
  public long listings() {
    return listings.get();
  }

  /**
   * Objects read from the store so far (indexes and archives, cache misses only).
   *
   * @return the count
   */
  public long objectReads() {
    return objectReads.get();
  }

  /** The newest archived record of the job with this seq, unless it was purged. */
  Optional<Found> find(long seq) {
    List<HistoryIndex.Ref> refs = new ArrayList<>();
    for (HistoryIndex.Ref r : block(HistoryIndex.blockOf(seq))) {
      if (r.holds(seq)) {
        refs.add(r);
      }
    }
    refs.sort(Comparator.comparingLong(HistoryIndex.Ref::revision).reversed());
    for (HistoryIndex.Ref r : refs) {
      HistoryIndex.Contents c = index(r);
      if (c == null) {
        continue;
      }
      for (HistoryIndex.Entry e : c.entries()) {
        if (e.seq() == seq) {
          return e.status() == JobStatus.PURGED
              ? Optional.empty()
              : Optional.of(new Found(e, c.archiveKey(), r.revision()));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The archived jobs (newest record of each id, purged ones left out) with a seq above {@code
   * after} and at most {@code lastSeq} that {@code filter} accepts, in seq order, block by block
   * until at least {@code limit} are found (all of the last block's matches are returned).
   */
  Scan scan(HistoryFilter filter, long after, long lastSeq, int limit) {
    List<Found> found = new ArrayList<>();
    long lastBlock = HistoryIndex.blockOf(Math.max(0, lastSeq));
    for (long b = HistoryIndex.blockOf(after + 1); b <= lastBlock; b++) {
      List<HistoryIndex.Ref> refs = block(b);
      if (!refs.isEmpty()) {
        found.addAll(newestIn(refs, filter, after));
      }
      if (found.size() >= limit) {
        return new Scan(found, (b + 1) * HistoryIndex.BLOCK_SIZE - 1);
      }
    }
    return new Scan(found, Long.MAX_VALUE);
  }

  /**
   * The full archived job of a record, or null (with a warning) when its archive is gone (deleted
   * by a lifecycle rule before its index) or does not hold the job where the index says.
   */
  Job job(Found f) {
    List<Job> jobs;
    try {
      jobs = archive(f.archiveKey());
    } catch (CorruptStateException e) {
      jobs = null;
    }
    int line = f.entry().line();
    if (jobs == null
        || line < 0
        || line >= jobs.size()
        || jobs.get(line).seq() != f.entry().seq()) {
      log.warn(
          "archive {} is missing or does not hold job j{} where its history index says;"
              + " skipping that record",
          f.archiveKey(),
          f.entry().seq());
      return null;
    }
    return jobs.get(line);
  }

  /** In one block: the newest record of each seq above {@code after}, filtered, in seq order. */
  private List<Found> newestIn(List<HistoryIndex.Ref> refs, HistoryFilter filter, long after) {
    // only the dead need be read for a list of dead jobs, and any newer record that may hide one
    boolean deadOnly = filter.status() == JobStatus.DEAD;
    Map<Long, Found> newest = new HashMap<>();
    long minDeadRevision = Long.MAX_VALUE;
    for (HistoryIndex.Ref r : refs) {
      if (r.maxSeq() <= after || (deadOnly && r.dead() == 0)) {
        continue;
      }
      minDeadRevision = Math.min(minDeadRevision, r.revision());
      take(r, after, newest);
    }
    if (deadOnly) {
      for (HistoryIndex.Ref r : refs) {
        if (r.maxSeq() > after && r.dead() == 0 && r.revision() > minDeadRevision) {
          boolean hides = false;
          for (Long seq : newest.keySet()) {
            hides |= r.holds(seq);
          }
          if (hides) {
            take(r, after, newest);
          }
        }
      }
    }
    List<Found> out = new ArrayList<>();
    for (Found f : newest.values()) {
      if (f.entry().status() != JobStatus.PURGED && filter.accepts(f.entry())) {
        out.add(f);
      }
    }
    out.sort(Comparator.comparingLong(f -> f.entry().seq()));
    return out;
  }

  private void take(HistoryIndex.Ref r, long after, Map<Long, Found> newest) {
    HistoryIndex.Contents c = index(r);
    if (c == null) {
      return;
    }
    for (HistoryIndex.Entry e : c.entries()) {
      if (e.seq() > after) {
        Found f = new Found(e, c.archiveKey(), r.revision());
        newest.merge(e.seq(), f, (a, b) -> a.revision() >= b.revision() ? a : b);
      }
    }
  }

  private List<HistoryIndex.Ref> block(long block) {
    listings.incrementAndGet();
    List<HistoryIndex.Ref> refs = new ArrayList<>();
    for (String key : store.list(HistoryIndex.blockPrefix(queueKey, block))) {
      HistoryIndex.Ref r = HistoryIndex.parse(key);
      if (r != null && r.block() == block) {
        refs.add(r);
      }
    }
    return refs;
  }

  private HistoryIndex.Contents index(HistoryIndex.Ref r) {
    synchronized (indexes) {
      HistoryIndex.Contents c = indexes.get(r.key());
      if (c != null) {
        return c;
      }
    }
    objectReads.incrementAndGet();
    Optional<VersionedBytes> bytes = store.read(r.key());
    if (bytes.isEmpty()) {
      return null; // deleted since the listing (its commit was lost): it held nothing
    }
    HistoryIndex.Contents c;
    try {
      c = HistoryIndex.decode(bytes.get().data(), r.key());
    } catch (CorruptStateException e) {
      log.warn("skipping unreadable history index {}: {}", r.key(), e.getMessage());
      return null;
    }
    synchronized (indexes) {
      indexes.put(r.key(), c);
    }
    return c;
  }

  private List<Job> archive(String key) {
    synchronized (archives) {
      List<Job> jobs = archives.get(key);
      if (jobs != null) {
        return jobs;
      }
    }
    objectReads.incrementAndGet();
    Optional<VersionedBytes> bytes = store.read(key);
    if (bytes.isEmpty()) {
      return null;
    }
    List<Job> jobs = StateCodec.decodeArchive(bytes.get().data());
    synchronized (archives) {
      archives.put(key, jobs);
    }
    return jobs;
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }
}
