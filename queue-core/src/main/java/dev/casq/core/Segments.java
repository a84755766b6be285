package dev.casq.core;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.StorageException;
import dev.casq.storage.VersionedBytes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the queue object (the head) small whatever the backlog: at seal time, when the head holds
 * more than {@code headMaxReadyJobs} ready jobs, the worst-ordered ones beyond half that go into a
 * new immutable segment object, written before the commit that names it. Segments are read back
 * (and cached, a few at a time) when a claim reaches them; a segment read to its end is deleted
 * once a commit that no longer names it has landed, and the segment of a commit proven lost is
 * deleted at once (never one of a commit whose outcome is unknowable).
 *
 * <p>Also the {@link QueueState.SegmentSource} of the states the engine decodes: segment contents
 * and the idempotency keys they hold. Confined to the engine's thread.
 */
final class Segments implements QueueState.SegmentSource {
  private static final Logger log = LoggerFactory.getLogger(Segments.class);
  private static final int CACHED_SEGMENTS = 4;

  /** A segment written for a commit, and the segments that commit stops naming. */
  record Change(String written, List<String> dropped) {
    static final Change NONE = new Change(null, List.of());
  }

  private final ObjectStore store;
  private final String queueKey;
  private final int headMaxReadyJobs;
  private final Supplier<String> tokens;
  private final EngineMetrics metrics;
  private final Map<String, SegmentKeys> keysBySegment = new HashMap<>();
  private final LinkedHashMap<String, List<Job>> contents =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<Job>> eldest) {
          return size() > CACHED_SEGMENTS;
        }
      };
  private Set<String> namedBySealed = Set.of(); // by the state the next write is conditioned on
  private long segmentReads;
  private final Set<String> warnedMissing = new HashSet<>();

  Segments(ObjectStore store, String queueKey, EngineOptions options, EngineMetrics metrics) {
    this.store = store;
    this.queueKey = queueKey;
    this.headMaxReadyJobs = options.headMaxReadyJobs();
    this.tokens = options.tokens();
    this.metrics = metrics;
  }

  /** Whether this engine moves jobs into segments (it always reads the ones a state names). */
  boolean enabled() {
    return headMaxReadyJobs > 0;
  }

  /** How many segment objects were read since the engine started. */
  long segmentReads() {
    return segmentReads;
  }

  /**
   * Attaches to a state the engine decoded: the state reads segments through this cache, and the
   * keys of every segment it names are indexed (segments without keys are not read).
   *
   * @param sealed whether the state is the one the next write is conditioned on
   */
  void attach(QueueState state, boolean sealed) {
    state.segmentSource = this;
    Set<String> named = names(state);
    if (sealed) {
      namedBySealed = named;
      keysBySegment.keySet().retainAll(named);
      contents.keySet().retainAll(named);
    }
    for (QueueState.SegmentRef ref : state.segments) {
      if (ref.keys() > 0) {
        keys(ref.key());
      }
    }
  }

  /**
   * At seal time: when the head holds too many ready jobs, writes the worst-ordered beyond half the
   * bound into a new segment and names it in {@code state}. Returns what this commit writes and
   * drops (segments named by the state it is conditioned on that it no longer names).
   */
  Change seal(QueueState state, long revision) {
    String written = null;
    if (enabled() && state.ready.size() > headMaxReadyJobs) {
      written = spill(state, revision);
    }
    List<String> dropped = new ArrayList<>();
    if (!namedBySealed.isEmpty()) {
      Set<String> now = names(state);
      for (String key : namedBySealed) {
        if (!now.contains(key)) {
          dropped.add(key);
        }
      }
    }
    namedBySealed = names(state);
    return written == null && dropped.isEmpty() ? Change.NONE : new Change(written, dropped);
  }

  /** After a commit landed: deletes the segments it stopped naming. */
  void landed(Change change) {
    for (String key : change.dropped()) {
      delete(key, "read to its end");
      keysBySegment.remove(key);
      contents.remove(key);
    }
  }

  /** After a commit proven lost: deletes the segment written for it (no state names it). */
  void lost(Change change) {
    if (change.written() != null) {
      delete(change.written(), "written for a commit that did not land");
      keysBySegment.remove(change.written());
      contents.remove(change.written());
    }
  }

  /** After the sealed state was given up before its write (its state could not be encoded). */
  void abandoned(Change change, QueueState sealedState) {
    lost(change);
    namedBySealed = names(sealedState);
  }

  @Override
  public List<Job> jobs(String segmentKey) {
    List<Job> jobs = contents.get(segmentKey);
    if (jobs == null) {
      jobs = read(segmentKey);
      if (jobs == null) {
        return null;
      }
      contents.put(segmentKey, jobs);
      if (!keysBySegment.containsKey(segmentKey)) {
        keysBySegment.put(segmentKey, keysOf(jobs));
      }
    }
    return jobs;
  }

  @Override
  public SegmentKeys keys(String segmentKey) {
    SegmentKeys keys = keysBySegment.get(segmentKey);
    if (keys == null) {
      List<Job> jobs = contents.get(segmentKey);
      if (jobs == null) {
        jobs = read(segmentKey);
      }
      if (jobs == null) {
        return SegmentKeys.NONE; // not cached: indexed again once the state is read afresh
      }
      keys = keysOf(jobs);
      keysBySegment.put(segmentKey, keys);
    }
    return keys;
  }

  /** Loads the segment a claim would read next, so the read happens before commands apply. */
  void prefetch(QueueState state) {
    if (state.segments.isEmpty()) {
      return;
    }
    QueueState.SegmentRef best = state.bestSegment();
    if (best != null && (state.ready.isEmpty() || QueueState.before(best, state.ready.first()))) {
      jobs(best.key());
    }
  }

  private String spill(QueueState state, long revision) {
    List<Job> worst = state.takeWorstReady(Math.max(1, headMaxReadyJobs / 2));
    String commitRef = revision + "-" + tokens.get();
    String segmentKey = queueKey + ".seg/" + commitRef + ".json";
    byte[] bytes;
    try {
      bytes = StateCodec.encodeSegment(worst, commitRef);
      store.put(segmentKey, bytes);
    } catch (StorageException e) {
      // the jobs go back into the head; the next seal tries again
      state.restoreReady(worst);
      log.warn("segment write {} failed ({}); its jobs stay in the queue object for now",
          segmentKey, e.toString());
      return null;
    }
    state.addSegment(segmentKey, worst);
    keysBySegment.put(segmentKey, keysOf(worst));
    metrics.recordSegment(worst.size(), bytes.length);
    return segmentKey;
  }

  /** The segment's jobs, or null when it is missing or damaged (logged). */
  private List<Job> read(String segmentKey) {
    segmentReads++;
    Optional<VersionedBytes> bytes = store.read(segmentKey);
    if (bytes.isEmpty()) {
      // expected when another writer read it to its end and this engine's state is stale (its
      // next write loses and re-reads); otherwise someone deleted it
      if (warnedMissing.add(segmentKey)) {
        log.warn("segment object {} named by {} is missing; its jobs are not served (expected"
            + " for a moment when another writer read it to its end)", segmentKey, queueKey);
      }
      return null;
    }
    try {
      return StateCodec.decodeSegment(bytes.get().data());
    } catch (CorruptStateException e) {
      log.warn("segment object {} named by {} cannot be read ({}); its jobs are not served",
          segmentKey, queueKey, e.getMessage());
      return null;
    }
  }

  private void delete(String key, String why) {
    try {
      store.delete(key);
    } catch (StorageException e) {
      log.warn("could not delete segment {} ({}): {}", key, why, e.toString());
    }
  }

  /**
   * Every live job of a decoded queue object: the head's and those still waiting in the segments
   * it names (cancelled ones left out), for inspection and tests.
   */
  static List<Job> liveJobs(ObjectStore store, QueueState state) {
    List<Job> all = new ArrayList<>(state.liveJobs());
    for (QueueState.SegmentRef ref : state.segments) {
      byte[] bytes = store.read(ref.key()).orElseThrow(
          () -> new StorageException("segment object " + ref.key() + " is missing")).data();
      List<Job> jobs = StateCodec.decodeSegment(bytes);
      for (int i = ref.cursor(); i < jobs.size(); i++) {
        if (!state.cancelledInSegments.contains(jobs.get(i).id())) {
          all.add(jobs.get(i));
        }
      }
    }
    return all;
  }

  private static SegmentKeys keysOf(Collection<Job> jobs) {
    return SegmentKeys.of(jobs, KeyHasher.MURMUR3);
  }

  private static Set<String> names(QueueState state) {
    if (state.segments.isEmpty()) {
      return Set.of();
    }
    Set<String> names = new HashSet<>();
    for (QueueState.SegmentRef ref : state.segments) {
      names.add(ref.key());
    }
    return names;
  }
}
