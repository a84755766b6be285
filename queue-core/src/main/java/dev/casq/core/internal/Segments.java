package dev.casq.core.internal;

import dev.casq.api.CorruptStateException;
import dev.casq.core.EngineOptions;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StorageException;
import dev.casq.storage.VersionedBytes;
import java.util.ArrayList;
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
 * <p>A segment whose jobs carry idempotency keys gets a key index object ({@link KeyIndexObject},
 * at {@link KeyIndexObject#keyForSegment}) written before it, and deleted after it. An engine that
 * attaches a state reads the key indexes of the segments it names that hold keys (many at once),
 * not the segments: the keys of all segments go into one {@link SegmentKeyTable}, which a keyed
 * push probes once. A segment whose index is missing or unreadable (one written before indexes
 * existed, or one whose index write failed) is read instead, with a warning for a damaged one.
 *
 * <p>Also the {@link QueueState.SegmentSource} of the states the engine decodes: segment contents
 * and the idempotency keys they hold. Confined to the engine's thread.
 */
final class Segments implements QueueState.SegmentSource {
  private static final Logger log = LoggerFactory.getLogger(Segments.class);
  private static final int CACHED_SEGMENTS = 4;

  /**
   * Size-tiered merging: a segment's tier is the base-{@value} logarithm of the jobs it still
   * holds; when {@value} segments of one kind share a tier, the commit merges them into one of the
   * next tier. Every job is thus rewritten about once per tier (3 times from 1,000-job spills up to
   * {@link #MERGED_MAX_JOBS}), and a head names at most {@code MERGE_FAN_IN - 1} segments per tier
   * below that size, plus one per ~{@code MERGED_MAX_JOBS / 2} jobs above it.
   */
  static final int MERGE_FAN_IN = 8;

  /** The most jobs a merge writes into one segment (~10 MB with 100-byte payloads). */
  static final int MERGED_MAX_JOBS = 100_000;

  /** The segments written for a commit (a spill, a merge), and the segments it stops naming. */
  record Change(List<String> written, List<String> dropped) {
    static final Change NONE = new Change(List.of(), List.of());
  }

  private final ObjectStore store;
  private final String queueKey;
  private final int headMaxReadyJobs;
  private final Supplier<String> tokens;
  private final java.time.Clock clock;
  private final EngineMetrics metrics;
  private final boolean parallel;
  private final SegmentKeyTable keyTable = new SegmentKeyTable();
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

  /**
   * @param parallel whether key index objects are read by several threads at once (not in a
   *     simulation, whose engine reads on its own thread only)
   */
  Segments(
      ObjectStore store,
      String queueKey,
      EngineOptions options,
      EngineMetrics metrics,
      boolean parallel) {
    this.store = store;
    this.parallel = parallel;
    this.queueKey = queueKey;
    this.headMaxReadyJobs = options.headMaxReadyJobs();
    this.tokens = options.tokens();
    this.clock = options.clock();
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
   * keys of every segment it names that holds keys are indexed, from the segments' key index
   * objects (segments are read only when their index is missing or damaged).
   *
   * @param sealed whether the state is the one the next write is conditioned on
   */
  void attach(QueueState state, boolean sealed) {
    state.segmentSource = this;
    Set<String> named = names(state);
    if (sealed) {
      namedBySealed = named;
      keyTable.retain(named);
      contents.keySet().retainAll(named);
    }
    List<QueueState.SegmentRef> toLoad = new ArrayList<>();
    for (QueueState.SegmentRef ref : state.segments) {
      if (ref.keys() > 0 && !keyTable.contains(ref.key())) {
        toLoad.add(ref);
      }
    }
    if (!toLoad.isEmpty()) {
      loadKeys(toLoad);
    }
  }

  /**
   * At seal time: when the head holds too many ready jobs, writes the worst-ordered beyond half the
   * bound into a new segment and names it in {@code state}. Returns what this commit writes and
   * drops (segments named by the state it is conditioned on that it no longer names).
   */
  Change seal(QueueState state, long revision) {
    List<String> written = new ArrayList<>(2);
    if (enabled() && state.ready.size() > headMaxReadyJobs) {
      String spilled = spill(state, revision, false);
      if (spilled != null) {
        written.add(spilled);
      }
    }
    if (enabled() && state.scheduled.size() > headMaxReadyJobs) {
      String spilled = spill(state, revision, true);
      if (spilled != null) {
        written.add(spilled);
      }
    }
    if (enabled() && state.segments.size() >= MERGE_FAN_IN) {
      String merged = merge(state, revision, written);
      if (merged != null) {
        written.add(merged);
      }
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
    return written.isEmpty() && dropped.isEmpty() ? Change.NONE : new Change(written, dropped);
  }

  /** After a commit landed: deletes the segments it stopped naming (and their key indexes). */
  void landed(Change change) {
    for (String key : change.dropped()) {
      deleteWithIndex(key, "read to its end");
      keyTable.drop(key);
      contents.remove(key);
    }
  }

  /** After a commit proven lost: deletes the segments written for it (no state names them). */
  void lost(Change change) {
    for (String key : change.written()) {
      deleteWithIndex(key, "written for a commit that did not land");
      keyTable.drop(key);
      contents.remove(key);
    }
  }

  /** After the sealed state was given up before its write (its state could not be encoded). */
  void abandoned(Change change, QueueState sealedState) {
    lost(change);
    namedBySealed = names(sealedState);
  }

  @Override
  public List<Job> cached(String segmentKey) {
    return contents.get(segmentKey);
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
      if (!keyTable.contains(segmentKey)) {
        keyTable.add(segmentKey, keysOf(jobs));
      }
    }
    return jobs;
  }

  /**
   * Every place in a segment where the key's hash is indexed: one probe of the table, whatever the
   * number of segments. When the segment's jobs are cached, a hash match is checked against the
   * job's key itself.
   */
  @Override
  public List<QueueState.KeyAt> keyAt(String key) {
    KeyHasher.KeyHash h = KeyHasher.MURMUR3.hash(key);
    List<SegmentKeyTable.Hit> hits = keyTable.find(h.hi(), h.lo());
    if (hits.isEmpty()) {
      return List.of();
    }
    List<QueueState.KeyAt> found = new ArrayList<>(hits.size());
    for (SegmentKeyTable.Hit hit : hits) {
      List<Job> jobs = contents.get(hit.segment());
      if (jobs != null
          && (hit.position() < 0
              || hit.position() >= jobs.size()
              || !key.equals(jobs.get(hit.position()).idempotencyKey()))) {
        continue; // another key with the same 96 bits of hash
      }
      found.add(
          new QueueState.KeyAt(hit.segment(), QueueStateMachine.jobId(hit.seq()), hit.position()));
    }
    return found;
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
    java.time.Instant now = clock.instant();
    for (QueueState.SegmentRef ref : state.segments) {
      if (ref.scheduled() && !ref.due().isAfter(now)) {
        jobs(ref.key());
      }
    }
  }

  /**
   * Moves the ready jobs that come last in the claim order beyond half the bound (or, for {@code
   * scheduledJobs}, the scheduled jobs due last beyond half the bound) into a new segment.
   */
  private String spill(QueueState state, long revision, boolean scheduledJobs) {
    int keep = Math.max(1, headMaxReadyJobs / 2);
    List<Job> worst = scheduledJobs ? state.takeLatestScheduled(keep) : state.takeWorstReady(keep);
    String commitRef = revision + "-" + tokens.get();
    String segmentKey = queueKey + ".seg/" + commitRef + ".json";
    KeyIndexObject.Entries keys = keysOf(worst);
    boolean indexed = writeKeyIndex(segmentKey, keys);
    byte[] bytes;
    try {
      bytes = StateCodec.encodeSegment(worst, commitRef);
      store.put(segmentKey, bytes);
    } catch (StorageException e) {
      if (indexed) {
        delete(KeyIndexObject.keyForSegment(segmentKey), "its segment could not be written");
      }
      // the jobs go back into the head; the next seal tries again
      if (scheduledJobs) {
        state.restoreScheduled(worst);
      } else {
        state.restoreReady(worst);
      }
      log.warn(
          "segment write {} failed ({}); its jobs stay in the queue object for now",
          segmentKey,
          e.toString());
      return null;
    }
    state.addSegment(segmentKey, worst, scheduledJobs);
    keyTable.add(segmentKey, keys);
    metrics.recordSegment(worst.size(), bytes.length);
    return segmentKey;
  }

  /**
   * Merges {@link #MERGE_FAN_IN} segments of one kind and one tier (see there; at most {@link
   * #MERGED_MAX_JOBS} jobs together), if the head names that many, into one new segment holding
   * what they still hold (from their cursors, cancelled jobs left out), in their order, and names
   * it instead of them. The merged segment is written before the commit that names it; the old ones
   * are deleted once that commit has landed (they are among the segments it stops naming). Returns
   * the new key, or null when no merge was possible (nothing small enough, a segment unreadable, a
   * failed write).
   */
  private String merge(QueueState state, long revision, List<String> writtenNow) {
    Map<Integer, List<QueueState.SegmentRef>> tiers = new HashMap<>();
    List<QueueState.SegmentRef> group = null;
    for (QueueState.SegmentRef ref : state.segments) {
      if (ref.remaining() > MERGED_MAX_JOBS / 2
          || state.unreadableSegments.contains(ref.key())
          || writtenNow.contains(ref.key())) {
        continue; // full enough, left alone, or spilled by this very commit
      }
      int tier = (ref.scheduled() ? 1000 : 0) + tier(ref.remaining()); // a merge keeps to one kind
      List<QueueState.SegmentRef> members = tiers.computeIfAbsent(tier, t -> new ArrayList<>());
      members.add(ref);
      if (members.size() >= MERGE_FAN_IN && group == null) {
        group = members;
      }
    }
    if (group == null) {
      return null;
    }
    boolean scheduledKind = group.get(0).scheduled();
    group.sort(java.util.Comparator.comparingInt(QueueState.SegmentRef::remaining));
    List<QueueState.SegmentRef> inputs = new ArrayList<>(MERGE_FAN_IN);
    long total = 0;
    for (QueueState.SegmentRef ref : group) {
      if (inputs.size() == MERGE_FAN_IN || total + ref.remaining() > MERGED_MAX_JOBS) {
        break;
      }
      inputs.add(ref);
      total += ref.remaining();
    }
    if (inputs.size() < 2) {
      return null;
    }
    List<Job> merged = new ArrayList<>((int) total);
    List<String> skipped = new ArrayList<>();
    for (QueueState.SegmentRef ref : inputs) {
      List<Job> jobs = contents.get(ref.key()); // not cached anew: read once, written once
      if (jobs == null) {
        jobs = read(ref.key());
      }
      if (jobs == null || jobs.size() != ref.count()) {
        return null; // missing or damaged: left as it is (a claim reports it)
      }
      for (int i = ref.cursor(); i < jobs.size(); i++) {
        Job job = jobs.get(i);
        if (state.cancelledIn(ref).contains(job.id())) {
          skipped.add(job.id());
        } else {
          merged.add(job);
        }
      }
    }
    merged.sort(scheduledKind ? QueueState.SCHEDULE_ORDER : QueueState.READY_ORDER);
    String segmentKey = null;
    KeyIndexObject.Entries keys = null;
    if (!merged.isEmpty()) {
      String commitRef = revision + "-" + tokens.get();
      segmentKey = queueKey + ".seg/" + commitRef + ".json";
      keys = keysOf(merged);
      boolean indexed = writeKeyIndex(segmentKey, keys);
      try {
        byte[] bytes = StateCodec.encodeSegment(merged, commitRef);
        store.put(segmentKey, bytes);
        metrics.recordSegment(merged.size(), bytes.length);
      } catch (StorageException e) {
        log.warn(
            "merged segment write {} failed ({}); the segments stay as they are",
            segmentKey,
            e.toString());
        if (indexed) {
          delete(KeyIndexObject.keyForSegment(segmentKey), "its segment could not be written");
        }
        return null;
      }
    }
    state.replaceSegments(inputs, segmentKey, merged, skipped);
    if (segmentKey != null) {
      keyTable.add(segmentKey, keys);
    }
    return segmentKey;
  }

  /** The tier of a segment that still holds {@code jobs} jobs: log base MERGE_FAN_IN of it. */
  static int tier(int jobs) {
    int tier = 0;
    for (long n = Math.max(1, jobs); n >= MERGE_FAN_IN; n /= MERGE_FAN_IN) {
      tier++;
    }
    return tier;
  }

  /** The segment's jobs, or null when it is missing or damaged (logged). */
  private List<Job> read(String segmentKey) {
    segmentReads++;
    Optional<VersionedBytes> bytes = store.read(segmentKey);
    if (bytes.isEmpty()) {
      // expected when another writer read it to its end and this engine's state is stale (its
      // next write loses and re-reads); otherwise someone deleted it
      if (warnedMissing.add(segmentKey)) {
        log.warn(
            "segment object {} named by {} is missing; its jobs are not served (expected"
                + " for a moment when another writer read it to its end)",
            segmentKey,
            queueKey);
      }
      return null;
    }
    try {
      return StateCodec.decodeSegment(bytes.get().data());
    } catch (CorruptStateException e) {
      log.warn(
          "segment object {} named by {} cannot be read ({}); its jobs are not served",
          segmentKey,
          queueKey,
          e.getMessage());
      return null;
    }
  }

  private void delete(String key, String why) {
    try {
      store.delete(key);
    } catch (StorageException e) {
      log.warn("could not delete {} ({}): {}", key, why, e.toString());
    }
  }

  /**
   * Deletes a segment and then its key index object (whether or not it has one: a segment whose
   * keys all left it has no count of keys in the head any more, and deleting a missing object is no
   * error).
   */
  private void deleteWithIndex(String segmentKey, String why) {
    delete(segmentKey, why);
    delete(KeyIndexObject.keyForSegment(segmentKey), why);
  }

  /** Writes the key index of a segment's keyed jobs; false when there is none (or it failed). */
  private boolean writeKeyIndex(String segmentKey, KeyIndexObject.Entries keys) {
    if (keys.size() == 0) {
      return false;
    }
    String indexKey = KeyIndexObject.keyForSegment(segmentKey);
    try {
      store.put(indexKey, KeyIndexObject.encode(keys));
      return true;
    } catch (StorageException e) {
      // the segment still holds the keys: an engine that attaches it reads it instead (slower)
      log.warn(
          "key index write {} failed ({}); an engine that starts reads the segment for its"
              + " keys",
          indexKey,
          e.toString());
      return false;
    }
  }

  /**
   * Puts the keys of {@code refs} into the key table: from their key index objects (read many at
   * once), or from the segments themselves where an index is missing or damaged. A segment that
   * cannot be read either is left out (indexed again when a state is attached afresh).
   */
  private void loadKeys(List<QueueState.SegmentRef> refs) {
    long started = System.nanoTime();
    List<IndexRead> reads = KeyIndexReads.readAll(refs, this::readIndex, parallel, queueKey);
    long total = 0;
    long found = 0;
    for (IndexRead r : reads) {
      found += r.entries() == null ? 0 : r.entries().size();
    }
    keyTable.ensureRoom(found); // one allocation for all of them, in the common case
    int fromSegments = 0;
    for (int i = 0; i < refs.size(); i++) {
      QueueState.SegmentRef ref = refs.get(i);
      IndexRead r = reads.get(i);
      KeyIndexObject.Entries keys = r.entries();
      if (keys == null) {
        if (r.problem() != null) {
          log.warn(
              "key index object {} of segment {} cannot be used ({}); reading the segment"
                  + " for its keys instead",
              KeyIndexObject.keyForSegment(ref.key()),
              ref.key(),
              r.problem());
        }
        List<Job> jobs = contents.get(ref.key());
        if (jobs == null) {
          jobs = read(ref.key());
        }
        if (jobs == null) {
          continue; // missing or damaged: not indexed (a claim reports it)
        }
        keys = keysOf(jobs);
        fromSegments++;
      }
      keyTable.add(ref.key(), keys);
      total += keys.size();
    }
    if (refs.size() > 1) {
      log.info(
          "queue {}: indexed {} idempotency keys of {} segments in {} ms ({} read from the"
              + " segments, the rest from their key index objects)",
          queueKey,
          total,
          refs.size(),
          (System.nanoTime() - started) / 1_000_000,
          fromSegments);
    }
  }

  /** What reading a segment's key index gave: its entries, or null and why (null: missing). */
  private record IndexRead(KeyIndexObject.Entries entries, String problem) {}

  /** Reads and checks the key index of a segment (on a loading thread: touches no engine state). */
  private IndexRead readIndex(QueueState.SegmentRef ref) {
    Optional<VersionedBytes> bytes = store.read(KeyIndexObject.keyForSegment(ref.key()));
    if (bytes.isEmpty()) {
      return new IndexRead(null, null); // written before key indexes, or its write failed
    }
    KeyIndexObject.Entries e;
    try {
      e = KeyIndexObject.decode(bytes.get().data());
    } catch (CorruptStateException ex) {
      return new IndexRead(null, ex.getMessage());
    }
    if (e.size() < ref.keys()) {
      return new IndexRead(
          null, "it holds " + e.size() + " keys, the queue object counts " + ref.keys());
    }
    for (int i = 0; i < e.size(); i++) {
      long position = e.finishedAtMillis()[i];
      long seq = e.seq()[i];
      if (position < 0 || position >= ref.count() || seq < ref.minSeq() || seq > ref.maxSeq()) {
        return new IndexRead(
            null,
            "key "
                + i
                + " is at position "
                + position
                + " with seq "
                + seq
                + ", outside the segment's "
                + ref.count()
                + " jobs and seq range "
                + ref.minSeq()
                + ".."
                + ref.maxSeq());
      }
    }
    return new IndexRead(e, null);
  }

  /**
   * Every live job of a decoded queue object: the head's, the leased ones held in the leased-jobs
   * objects it names, and those still waiting in the segments it names (cancelled ones left out),
   * for inspection and tests.
   */
  static List<Job> liveJobs(ObjectStore store, QueueState state) {
    List<Job> all = new ArrayList<>(state.liveJobs());
    for (Job held : LeasedObjects.heldJobs(store, state)) {
      if (state.job(held.id()) == null) { // not already there (a state an engine attached)
        all.add(held);
      }
    }
    for (QueueState.SegmentRef ref : state.segments) {
      byte[] bytes =
          store
              .read(ref.key())
              .orElseThrow(
                  () -> new StorageException("segment object " + ref.key() + " is missing"))
              .data();
      List<Job> jobs = StateCodec.decodeSegment(bytes);
      for (int i = ref.cursor(); i < jobs.size(); i++) {
        if (!state.cancelledIn(ref).contains(jobs.get(i).id())) {
          all.add(jobs.get(i));
        }
      }
    }
    return all;
  }

  private static KeyIndexObject.Entries keysOf(List<Job> jobs) {
    return KeyIndexObject.ofSegment(jobs, KeyHasher.MURMUR3);
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
