package dev.casq.core.internal;

import dev.casq.api.CorruptStateException;
import dev.casq.core.EngineOptions;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StorageException;
import dev.casq.storage.VersionedBytes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the queue object (the head) within its byte budget ({@code headMaxBytes}) however many jobs
 * are leased: when a sealed head would be larger than the budget and the leased jobs it writes
 * itself make up at least an eighth of the budget, they move - each exactly as the head would write
 * it, payload and lease included - into one new immutable <em>leased-jobs object</em>, written and
 * durable before the commit that names it. The head then names the object and, as its jobs change
 * (a heartbeat, a completion, an expiry), the ids whose version there is superseded; once every one
 * of them is, the head stops naming it, and it is deleted {@link #DELETE_GRACE} after that commit
 * landed (at the first commit that lands after then, or when the engine closes): another writer
 * that read a head naming it just before, and is reading the objects that head names, still finds
 * it. The object of a commit proven lost is deleted at once (no head ever named it); never one of a
 * commit whose outcome is unknowable (an orphan, never a lost lease).
 *
 * <p>In memory nothing changes: an engine that adopts a state reads the objects it names (each
 * once; they never change) and holds their current jobs like any other leased job, so expiry,
 * release, get and cancel work as before. A named object that is missing or unreadable stops the
 * engine with a {@link CorruptStateException} rather than let it write a head without those leases.
 * Confined to the engine's thread.
 */
final class LeasedObjects {
  private static final Logger log = LoggerFactory.getLogger(LeasedObjects.class);

  /** The leased jobs written for a commit and the objects it stops naming. */
  record Change(List<String> written, List<String> dropped) {
    static final Change NONE = new Change(List.of(), List.of());
  }

  /** A named leased-jobs object that is missing: the state is stale or the object was deleted. */
  static final class MissingException extends CorruptStateException {
    private static final long serialVersionUID = 1L;

    MissingException(String message) {
      super(message);
    }
  }

  /**
   * How long an object the head stopped naming is kept before it is deleted: the time another
   * writer has between reading a head and reading the objects that head names.
   */
  static final Duration DELETE_GRACE = Duration.ofSeconds(5);

  /** An object no head names since a commit that landed at {@code at}. */
  private record Unnamed(String key, Instant at) {}

  /** The fewest superseded ids that make an object worth {@link #compact compacting}. */
  static final int COMPACT_MIN_SUPERSEDED = 64;

  private final ObjectStore store;
  private final String queueKey;
  private final int headMaxBytes;
  private final Supplier<String> tokens;
  private final Clock clock;
  private final ArrayDeque<Unnamed> unnamed = new ArrayDeque<>(); // oldest first
  private final Map<String, List<Job>> contents = new HashMap<>(); // named objects' jobs, held
  private Set<String> namedBySealed = Set.of();
  private long reads;

  LeasedObjects(ObjectStore store, String queueKey, EngineOptions options) {
    this.store = store;
    this.queueKey = queueKey;
    this.headMaxBytes = options.headMaxBytes();
    this.tokens = options.tokens();
    this.clock = options.clock();
  }

  /** How many leased-jobs objects were read since the engine started. */
  long reads() {
    return reads;
  }

  /**
   * Adds the current jobs of every leased-jobs object {@code state} names to it, reading the
   * objects not read yet.
   *
   * <p>The state is the one the next write is conditioned on (the engine attaches no other).
   *
   * @throws MissingException if a named object is missing
   * @throws CorruptStateException if a named object cannot be read or does not match the head
   */
  void attach(QueueState state) {
    Set<String> named = state.leasedObjects.keySet();
    for (QueueState.LeasedObjectRef ref : state.leasedObjects.values()) {
      List<Job> jobs = jobs(ref.key());
      if (jobs.size() != ref.count()) {
        throw new CorruptStateException(
            "leased-jobs object "
                + ref.key()
                + " holds "
                + jobs.size()
                + " jobs, the queue object "
                + queueKey
                + " says "
                + ref.count()
                + "; refusing to touch the queue");
      }
      for (Job job : jobs) {
        if (!ref.superseded().contains(job.id())) {
          try {
            state.addHeld(job);
          } catch (IllegalStateException e) {
            throw new CorruptStateException(
                "the queue object "
                    + queueKey
                    + " and its"
                    + " leased-jobs object "
                    + ref.key()
                    + " disagree: "
                    + e.getMessage()
                    + "; refusing to touch the queue",
                e);
          }
        }
      }
    }
    state.leasesAttached = true;
    namedBySealed = Set.copyOf(named);
    contents.keySet().retainAll(namedBySealed);
  }

  /**
   * After the sealed state was encoded into {@code headBytes} bytes: when that is over the budget,
   * moves the leased jobs the head writes itself into a new leased-jobs object (see the class
   * comment). Returns what this commit writes and stops naming; when it wrote an object, the state
   * must be encoded again.
   */
  Change seal(QueueState state, long revision, int headBytes) {
    List<String> written = List.of();
    if (headMaxBytes > 0 && headBytes > headMaxBytes && !state.leased.isEmpty()) {
      String key = spill(state, revision);
      written = key == null ? List.of() : List.of(key);
    }
    List<String> dropped = new ArrayList<>();
    for (String key : namedBySealed) {
      if (!state.leasedObjects.containsKey(key)) {
        dropped.add(key);
      }
    }
    namedBySealed = Set.copyOf(state.leasedObjects.keySet());
    return written.isEmpty() && dropped.isEmpty() ? Change.NONE : new Change(written, dropped);
  }

  /**
   * Before {@link #seal}: an object most of whose jobs changed costs the head the ids of those
   * jobs; once they are at least {@value #COMPACT_MIN_SUPERSEDED} and take more bytes than its few
   * current jobs would, those jobs go back into the head, unchanged, and the head stops naming the
   * object (deleted once that commit has landed; the jobs move into a new object with the next
   * spill). Returns whether the state changed (it must then be encoded again).
   */
  boolean compact(QueueState state) {
    List<QueueState.LeasedObjectRef> worth = new ArrayList<>();
    for (QueueState.LeasedObjectRef ref : state.leasedObjects.values()) {
      int gone = ref.superseded().size();
      if (gone < COMPACT_MIN_SUPERSEDED
          || gone < 8L * ref.held()
          || !contents.containsKey(ref.key())) {
        continue;
      }
      long idBytes = 0;
      for (String id : ref.superseded()) {
        idBytes += id.length() + 3;
      }
      long heldBytes = 0;
      for (Job job : current(ref)) {
        heldBytes += StateCodec.encoded(job).length + 1;
      }
      if (idBytes >= heldBytes) {
        worth.add(ref);
      }
    }
    for (QueueState.LeasedObjectRef ref : worth) {
      state.bringBack(ref.key(), current(ref));
    }
    return !worth.isEmpty();
  }

  /** The jobs of a named (and read) object whose version there is current. */
  private List<Job> current(QueueState.LeasedObjectRef ref) {
    List<Job> held = new ArrayList<>(ref.held());
    for (Job job : contents.get(ref.key())) {
      if (!ref.superseded().contains(job.id())) {
        held.add(job);
      }
    }
    return held;
  }

  /**
   * After a commit landed: the objects it stopped naming are deleted once {@link #DELETE_GRACE} has
   * passed, and so are those of earlier commits whose grace has passed.
   */
  void landed(Change change) {
    Instant now = clock.instant();
    for (String key : change.dropped()) {
      unnamed.add(new Unnamed(key, now));
      contents.remove(key);
    }
    Instant due = now.minus(DELETE_GRACE);
    while (!unnamed.isEmpty() && !unnamed.peekFirst().at().isAfter(due)) {
      delete(unnamed.pollFirst().key(), "no job it holds is current");
    }
  }

  /** When the engine closes or stops: deletes every object no head names any more, grace or not. */
  void closing() {
    while (!unnamed.isEmpty()) {
      delete(unnamed.pollFirst().key(), "no job it holds is current");
    }
  }

  /** How many objects no head names wait for their grace to pass (for tests). */
  int awaitingDeletion() {
    return unnamed.size();
  }

  /** After a commit proven lost: deletes the objects written for it (no state names them). */
  void lost(Change change) {
    for (String key : change.written()) {
      delete(key, "written for a commit that did not land");
      contents.remove(key);
    }
  }

  private String spill(QueueState state, long revision) {
    List<Job> inline = new ArrayList<>();
    long inlineBytes = 0;
    for (Job job : state.leased) {
      if (job.heldIn() == null) {
        inline.add(job);
        inlineBytes += StateCodec.encoded(job).length + 1;
      }
    }
    if (inline.isEmpty() || inlineBytes < Math.max(1, headMaxBytes / 8)) {
      return null; // too little to be worth an object: the budget is a target for leased jobs
    }
    inline.sort(java.util.Comparator.comparingLong(Job::seq));
    String commitRef = revision + "-" + tokens.get();
    String key = queueKey + ".leased/" + commitRef + ".json";
    try {
      store.put(key, StateCodec.encodeLeased(inline, commitRef));
    } catch (StorageException e) {
      log.warn(
          "leased-jobs object write {} failed ({}); the leased jobs stay in the queue object"
              + " for now",
          key,
          e.toString());
      return null;
    }
    state.holdIn(key, inline);
    List<Job> held = new ArrayList<>(inline.size());
    for (Job job : inline) {
      held.add(state.live.get(job.id()));
    }
    contents.put(key, held);
    return key;
  }

  private List<Job> jobs(String key) {
    List<Job> jobs = contents.get(key);
    if (jobs != null) {
      return jobs;
    }
    reads++;
    Optional<VersionedBytes> bytes = store.read(key);
    if (bytes.isEmpty()) {
      throw new MissingException(
          "leased-jobs object "
              + key
              + " named by the queue object "
              + queueKey
              + " is missing: the leases it holds cannot be read; refusing to touch the"
              + " queue (restore the object, or see docs/state-format.md)");
    }
    List<Job> decoded;
    try {
      decoded = StateCodec.decodeLeased(bytes.get().data());
    } catch (CorruptStateException e) {
      throw new CorruptStateException(
          "leased-jobs object "
              + key
              + " named by the queue object "
              + queueKey
              + " cannot be read ("
              + e.getMessage()
              + "); refusing to touch the queue",
          e);
    }
    List<Job> held = new ArrayList<>(decoded.size());
    for (Job job : decoded) {
      held.add(job.heldIn(key));
    }
    contents.put(key, held);
    return held;
  }

  private void delete(String key, String why) {
    try {
      store.delete(key);
    } catch (StorageException e) {
      log.warn("could not delete leased-jobs object {} ({}): {}", key, why, e.toString());
    }
  }

  /**
   * The current jobs held in the leased-jobs objects a decoded queue object names, read from {@code
   * store}; for inspection and tests.
   */
  static List<Job> heldJobs(ObjectStore store, QueueState state) {
    List<Job> all = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (QueueState.LeasedObjectRef ref : state.leasedObjects.values()) {
      byte[] bytes =
          store
              .read(ref.key())
              .orElseThrow(
                  () -> new StorageException("leased-jobs object " + ref.key() + " is missing"))
              .data();
      for (Job job : StateCodec.decodeLeased(bytes)) {
        if (!ref.superseded().contains(job.id()) && seen.add(job.id())) {
          all.add(job);
        }
      }
    }
    return all;
  }
}
