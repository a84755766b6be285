package dev.casq.core.internal;

import dev.casq.api.CommitOutcomeUnknownException;
import dev.casq.api.IdempotencyBudgetException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.QueueException;
import dev.casq.api.QueueFullException;
import dev.casq.api.RequestFailedException;
import dev.casq.core.EngineOptions;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit algorithm for one queue object, as steps a driver calls on one thread: no
 * threads and no waiting of its own, so a production driver ({@link GroupCommitEngine}) and a
 * deterministic simulation run the same code.
 *
 * <ol>
 *   <li>{@link #accept}: a command is applied to the working state at once, even while a write is
 *       in flight (up to {@code maxBatchSize} commands wait for the next write).
 *   <li>{@link #flush}: when no write is in flight, the applied commands (and the timers' work:
 *       expired leases, due jobs, archiving) are sealed into the next state and its write is handed
 *       to the driver's {@link Writes}.
 *   <li>{@link #writeEnded}: one place handles the four outcomes of a write: won or landed (answer
 *       the callers), lost (re-read state, apply everything again), unknowable (tell the callers
 *       so). A write whose outcome is unknown is settled by the writer before it comes back here
 *       ({@link Write#perform}), never guessed.
 * </ol>
 *
 * <p>Isolation: a command that throws is answered with its error and leaves the state as if it had
 * never been applied (a command that throws after changing the state makes the loop rebuild the
 * state from the last sealed bytes without it); a state that cannot be encoded is traced back to
 * the commands that made it so, and only those fail.
 *
 * <p>Internal: public for drivers (the engine and the simulator), not an API for applications.
 */
public final class CommitLoop {
  private static final Logger log = LoggerFactory.getLogger(CommitLoop.class);
  private static final long IDLE_WAKE_MILLIS = 1000;

  /**
   * How a write whose outcome the store did not tell is settled. {@link #RESOLVE} is casq's rule
   * and the only one production uses; the other exists only so that the simulator can prove its
   * checker catches an engine that guesses.
   */
  public enum OutcomePolicy {
    /** Re-read until the outcome is known (won, landed, lost) or provably unknowable. */
    RESOLVE,
    /**
     * Broken on purpose, for tests only: an unknown outcome is taken for a lost race and the batch
     * is applied again under a new commit id, although the first write may have landed or may still
     * land.
     */
    GUESS_LOST_FOR_TESTING
  }

  /** Where sealed writes go: the driver performs them (elsewhere) and reports back. */
  @FunctionalInterface
  public interface Writes {
    /**
     * Called on the loop's thread when a write is ready. The driver calls {@link Write#perform} (on
     * any thread), then {@link CommitLoop#writeEnded} on the loop's thread.
     */
    void start(Write write);
  }

  /** A write handed to the driver: perform it once, then give it back to the loop. */
  public static final class Write {
    final InFlightWrite write;
    private final CommitAttempt attempt;
    private volatile WriteOutcome outcome;

    private Write(InFlightWrite write, CommitAttempt attempt) {
      this.write = write;
      this.attempt = attempt;
    }

    /** Writes to the store and settles the outcome (re-reading when it is not clear). */
    public void perform() {
      WriteOutcome o;
      try {
        o = attempt.run(write);
      } catch (RuntimeException e) {
        o = new WriteOutcome.Broken(e); // cannot tell what happened: never guess, stop
      }
      outcome = o;
    }

    /** The revision this write carries. */
    public long revision() {
      return write.revision();
    }

    /** How many commands it carries. */
    public int commands() {
      return write.batch().size();
    }

    /** Whether {@link #perform} has finished. */
    public boolean performed() {
      return outcome != null;
    }

    /** A short name of the outcome, for logs and simulation histories. */
    public String outcomeName() {
      WriteOutcome o = outcome;
      return o == null
          ? "pending"
          : o.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final ObjectStore store;
  private final String key;
  private final QueueStateMachine machine;
  private final EngineOptions options;
  private final EngineMetrics metrics;
  private final Duration minCommitInterval;
  private final ArchivedKeys archivedKeys;
  private final Archiver archiver;
  private final Segments segments;
  private final LeasedObjects leasedObjects;
  private final CommitAttempt attempt;
  private final Writes writes;
  private final BiConsumer<EngineHealth.State, String> health;
  private final ErrorLog errors;
  private final SplittableRandom jitter;
  private final Sleeper sleeper;
  private volatile CommitGuard guard = CommitGuard.NONE; // set from any thread

  private QueueState state;
  private Version version;
  private byte[] sealedBytes; // the encoded state the working state was built on
  private List<Pending<?>> applied; // applied on top of sealedBytes, not yet sealed; or null
  private long changesBefore;
  private Write inFlight;
  private Instant lastCommitEnd = Instant.EPOCH;
  private long backoffMillis; // to wait before the next write (lost race, error)
  // consecutive failures; counted on the writer's thread (failed write attempts) and on the loop's
  private final java.util.concurrent.atomic.AtomicInteger troubles =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile long committedRevision = -1;
  private RuntimeException fatal;

  /**
   * A loop over the object {@code key} of {@code store}. Call {@link #load} before anything else.
   *
   * @param sleeper the back-off of storage retries (simulated time in a simulation)
   * @param health told of every change of the loop's health
   */
  public CommitLoop(
      ObjectStore store,
      String key,
      QueueStateMachine machine,
      EngineOptions options,
      EngineMetrics metrics,
      Sleeper sleeper,
      Writes writes,
      BiConsumer<EngineHealth.State, String> health) {
    this(store, key, machine, options, metrics, sleeper, writes, health, OutcomePolicy.RESOLVE);
  }

  /**
   * As above, with the way unknown outcomes are settled: only the simulator's tests pass anything
   * but {@link OutcomePolicy#RESOLVE}, to run a deliberately broken engine.
   */
  public CommitLoop(
      ObjectStore store,
      String key,
      QueueStateMachine machine,
      EngineOptions options,
      EngineMetrics metrics,
      Sleeper sleeper,
      Writes writes,
      BiConsumer<EngineHealth.State, String> health,
      OutcomePolicy outcomes) {
    this.store = new ReadRetryingStore(store, sleeper);
    this.key = Objects.requireNonNull(key, "key");
    this.machine = Objects.requireNonNull(machine, "machine");
    this.options = Objects.requireNonNull(options, "options");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.writes = Objects.requireNonNull(writes, "writes");
    this.health = Objects.requireNonNull(health, "health");
    this.minCommitInterval =
        options.minCommitInterval() != null
            ? options.minCommitInterval()
            : store.capabilities().minWriteInterval();
    this.archivedKeys =
        new ArchivedKeys(
            this.store,
            key,
            machine.policy(),
            KeyHasher.MURMUR3,
            sleeper == Sleeper.REAL,
            metrics); // a simulated engine reads on its own thread only
    this.archiver = new Archiver(this.store, key, options, archivedKeys, metrics);
    this.segments =
        new Segments(
            this.store,
            key,
            options,
            metrics,
            sleeper == Sleeper.REAL); // as the archived keys: many reads at once, but not simulated
    this.leasedObjects = new LeasedObjects(this.store, key, options);
    this.errors = new ErrorLog(log, "queue " + key);
    this.attempt =
        new CommitAttempt(
            this.store,
            key,
            sleeper,
            metrics,
            e -> trouble("writing the queue object failed; retrying", e),
            Objects.requireNonNull(outcomes, "outcomes"));
    this.jitter = new SplittableRandom(key.hashCode());
    this.sleeper = sleeper;
  }

  /** Sets the guard checked before every write and after every read (the broker's epoch). */
  public void guard(CommitGuard newGuard) {
    this.guard = Objects.requireNonNull(newGuard, "guard");
  }

  /** Reads the queue object, or creates it when there is none. */
  public void load() {
    for (int attempt = 0; ; attempt++) {
      Optional<VersionedBytes> current = store.read(key);
      if (current.isPresent()) {
        adopt(current.get(), StateCodec.decode(current.get().data()));
        return;
      }
      byte[] empty = StateCodec.encodeEmpty(options.tokens().get(), options.clock().instant());
      try {
        version = store.create(key, empty);
        state = StateCodec.decode(empty);
        segments.attach(state, true);
        leasedObjects.attach(state);
        archivedKeys.restore(state, options.clock().instant(), true);
        sealedBytes = empty;
        committedRevision = state.revision;
        log.info("created queue object {} in {}", key, store.describe());
        return;
      } catch (PreconditionFailedException e) {
        log.debug("queue object {} was created concurrently; reading it", key);
      } catch (OutcomeUnknownException e) {
        log.debug("creating {} had an unknown outcome; reading it", key);
      }
      if (attempt > ReadRetryingStore.RETRIES) {
        throw new StorageException("could not create or read the queue object " + key);
      }
    }
  }

  /** The working state: everything committed plus what is applied on top (engine thread only). */
  public QueueState state() {
    return state;
  }

  /** The revision of the last write known to have landed (-1 before the first); any thread. */
  public long committedRevision() {
    return committedRevision;
  }

  /** The write in flight, or null. */
  public Write inFlight() {
    return inFlight;
  }

  /** Whether the next write can take one more command. */
  public boolean hasRoom() {
    return applied == null || applied.size() < options.maxBatchSize();
  }

  /** The error that stopped this loop, or null. */
  public RuntimeException fatal() {
    return fatal;
  }

  /**
   * Applies {@code command} now (for drivers that are their own inbox, such as a simulation); the
   * future completes when the write carrying it lands, or with the command's error.
   */
  public <R> java.util.concurrent.CompletableFuture<R> submit(Command<R> command) {
    Pending<R> p = new Pending<>(command);
    accept(p);
    return p.future;
  }

  /** Applies a command to the working state; its caller is answered when its write lands. */
  void accept(Pending<?> p) {
    if (fatal != null) {
      p.fail(fatal);
      return;
    }
    if (p.command.addsJobs() && sealedBytes.length >= options.maxObjectBytes()) {
      p.reject(
          new QueueFullException(
              "queue "
                  + key
                  + " is full: its object has "
                  + sealedBytes.length
                  + " bytes, the limit (maxObjectBytes) is "
                  + options.maxObjectBytes()
                  + "; drain it or raise the limit"));
      settleRejected(p);
      return;
    }
    Instant now = options.clock().instant();
    begin(now);
    boolean clean;
    try {
      clean = p.apply(state, machine, now);
    } catch (Error e) {
      applied.add(p); // failed with everything else when the driver stops the loop
      throw e;
    }
    if (!clean) {
      rebuild(applied, now); // the command changed the state before it failed: undo it
      p.rejectForGood();
    }
    if (p.error() instanceof IdempotencyBudgetException) {
      archivedKeys.budgetReached(state);
    }
    applied.add(p);
  }

  /**
   * Seals what was applied (and what the timers do now) into the next write, when no write is in
   * flight and no back-off or minimum commit interval holds it back.
   */
  public void flush() {
    if (fatal != null || inFlight != null) {
      return;
    }
    Instant now = options.clock().instant();
    if (applied == null && !Timers.due(state, options, now)) {
      return;
    }
    long wait = Math.max(backoffMillis, minIntervalMillis(now));
    backoffMillis = 0;
    if (wait > 0) {
      sleeper.pause(wait); // the store's rate limit or a back-off, not synchronisation
      now = options.clock().instant();
    }
    if (applied == null) {
      if (!Timers.due(state, options, now)) {
        return;
      }
      begin(now);
    }
    guard.check(state);
    Archiver.Written archive = archiver.archiveIfDue(state, now);
    Segments.Change segmentChange = segments.seal(state, state.revision + 1);
    if (state.modCount == changesBefore) {
      settle(takeApplied()); // only reads and empty claims: nothing to write
      return;
    }
    long revision = state.revision + 1;
    String commitId = options.tokens().get();
    state.recordCommit(revision, commitId, now);
    byte[] bytes;
    try {
      bytes = StateCodec.encode(state);
    } catch (RuntimeException e) {
      segments.lost(segmentChange); // the state it was written for is given up
      if (!isolateUnencodable(e, now)) {
        settle(takeApplied()); // the commands that changed something were all rejected
        return;
      }
      segmentChange = segments.seal(state, revision);
      state.recordCommit(revision, commitId, now);
      bytes = StateCodec.encode(state);
    }
    if (leasedObjects.compact(state)) {
      bytes = StateCodec.encode(state); // a few leases came back from a mostly superseded object
    }
    LeasedObjects.Change leaseChange = leasedObjects.seal(state, revision, bytes.length);
    if (!leaseChange.written().isEmpty()) {
      bytes = StateCodec.encode(state); // the leased jobs it holds left the head
    }
    sealedBytes = bytes;
    metrics.recordSealed(state);
    inFlight =
        new Write(
            new InFlightWrite(
                takeApplied(),
                bytes,
                version,
                revision,
                commitId,
                archive,
                segmentChange,
                leaseChange,
                System.nanoTime()),
            attempt);
    writes.start(inFlight);
  }

  /** Handles the outcome of the write in flight: the one place where outcomes are decided. */
  public void writeEnded(Write ended) {
    if (ended != inFlight) {
      return; // already handled (the driver waited for it directly)
    }
    inFlight = null;
    InFlightWrite w = ended.write;
    Instant now = options.clock().instant();
    WriteOutcome outcome = Objects.requireNonNull(ended.outcome, "write not performed");
    if (outcome instanceof WriteOutcome.Won won) {
      version = won.version();
      landed(w, now);
    } else if (outcome instanceof WriteOutcome.Landed l) {
      landed(w, now);
      if (l.state().revision == w.revision()) {
        version = l.current().version(); // the object holds exactly this commit
      } else {
        redo(List.of(), l.current(), l.state(), now); // and more since: build on that
      }
    } else if (outcome instanceof WriteOutcome.Lost l) {
      log.debug(
          "lost the race for {} at revision {}; applying the batch again", key, w.revision() - 1);
      archiver.deleteLost(w.archive());
      segments.lost(w.segments());
      leasedObjects.lost(w.leased());
      redo(w.batch(), l.current(), l.state(), now);
      backoffMillis = jitter.nextLong(0, Math.min(50, 1L << Math.min(lostRaces(), 6)));
    } else if (outcome instanceof WriteOutcome.Unknowable u) {
      CommitOutcomeUnknownException unknown =
          new CommitOutcomeUnknownException(
              "cannot tell whether revision " + w.revision() + " of " + key + " landed", u.cause());
      for (Pending<?> p : w.batch()) {
        p.fail(unknown);
      }
      redo(List.of(), u.current(), u.state(), now);
    } else if (outcome instanceof WriteOutcome.Broken b) {
      applied = concat(w.batch(), applied); // failed by stop()
      throw b.error();
    }
  }

  /**
   * After an error that no command caused (a bug, a failed read of the archive keys): fails the
   * commands applied since the last seal, rebuilds the working state from the sealed bytes, and
   * backs off before the next write. Logged once per kind of error.
   */
  public void recover(RuntimeException e) {
    trouble("the commit loop failed", e);
    Instant now = options.clock().instant();
    List<Pending<?>> failed = applied;
    applied = null;
    if (failed != null) {
      for (Pending<?> p : failed) {
        p.fail(new RequestFailedException("the request could not be committed: " + e, e));
      }
    }
    adoptSealed(now);
    backoffMillis = Math.min(5000, 50L << Math.min(troubles.get(), 7));
  }

  /** Stops for good: every command waiting here fails with {@code e}. */
  public void stop(RuntimeException e) {
    if (fatal == null) {
      fatal = e;
      health.accept(
          e instanceof FencedException ? EngineHealth.State.FENCED : EngineHealth.State.STOPPED,
          e.getMessage());
    }
    if (applied != null) {
      for (Pending<?> p : applied) {
        p.fail(e);
      }
      applied = null;
    }
    leasedObjects.closing(); // their grace is cut short: this engine writes no more
  }

  /**
   * Closes: the write in flight (if any, already performed by the driver) answers its callers if it
   * landed; every other command fails with {@code reason}.
   */
  public void close(RuntimeException reason) {
    Write w = inFlight;
    inFlight = null;
    if (w != null) {
      WriteOutcome o = w.outcome;
      if (o instanceof WriteOutcome.Won || o instanceof WriteOutcome.Landed) {
        landed(w.write, options.clock().instant());
      } else {
        for (Pending<?> p : w.write.batch()) {
          p.fail(reason);
        }
      }
    }
    stop(reason);
  }

  /**
   * How long the driver may wait for the next event before calling {@link #flush} again: until a
   * timer is due, a back-off ends, or (while a write is in flight) a second at most.
   */
  public long millisUntilDue() {
    Instant now = options.clock().instant();
    if (inFlight != null) {
      return IDLE_WAKE_MILLIS;
    }
    if (applied != null) {
      return 0;
    }
    Instant next = Timers.next(state, options);
    return next == null ? IDLE_WAKE_MILLIS : Timers.millisBetween(now, next, IDLE_WAKE_MILLIS);
  }

  // ------------------------------------------------------------------------------------------

  private void begin(Instant now) {
    if (applied == null) {
      applied = new ArrayList<>();
      changesBefore = state.modCount;
      machine.tick(state, now);
      prefetchSegment(); // once per batch: the read a claim would do, before commands apply
    }
  }

  /** Answers a command refused before it touched anything: it needs no write. */
  private static void settleRejected(Pending<?> p) {
    p.settle();
  }

  private List<Pending<?>> takeApplied() {
    List<Pending<?>> batch = applied;
    applied = null;
    return batch;
  }

  private long minIntervalMillis(Instant now) {
    if (minCommitInterval.isZero()) {
      return 0;
    }
    Instant next = lastCommitEnd.plus(minCommitInterval);
    return next.isAfter(now) ? Timers.millisBetween(now, next, minCommitInterval.toMillis()) : 0;
  }

  private int lostRaces() {
    int most = 0;
    if (applied != null) {
      for (Pending<?> p : applied) {
        most = Math.max(most, p.lostRaces);
      }
    }
    return most;
  }

  private void landed(InFlightWrite w, Instant now) {
    metrics.recordCommit(w.batch().size(), w.bytes().length, System.nanoTime() - w.startNanos());
    lastCommitEnd = now;
    committedRevision = w.revision();
    segments.landed(w.segments());
    leasedObjects.landed(w.leased());
    archivedKeys.landed(state, w.revision());
    if (troubles.getAndSet(0) > 0) {
      errors.recovered();
      health.accept(EngineHealth.State.SERVING, null);
    }
    settle(w.batch());
  }

  /**
   * Adopts a fresh state read from the store and applies {@code first} and then everything applied
   * since the last seal on top of it again.
   */
  private void redo(List<Pending<?>> first, VersionedBytes current, QueueState fresh, Instant now) {
    List<Pending<?>> again = concat(first, applied);
    applied = again.isEmpty() ? null : again; // stop() fails them if the guard throws
    adopt(current, fresh);
    guard.check(state);
    applied = null;
    if (again.isEmpty()) {
      return;
    }
    begin(now);
    for (int i = 0; i < again.size(); i++) {
      Pending<?> p = again.get(i);
      if (i < first.size() && ++p.lostRaces > options.maxConflictRetries()) {
        p.reject(
            new QueueException(
                "gave up after "
                    + p.lostRaces
                    + " lost races for "
                    + key
                    + "; is another writer hammering the object?"));
      } else if (!p.apply(state, machine, now)) {
        rebuild(applied, now);
        p.rejectForGood();
      }
      applied.add(p);
    }
  }

  private void adopt(VersionedBytes current, QueueState fresh) {
    for (int reread = 0; ; reread++) {
      version = current.version();
      sealedBytes = current.data();
      committedRevision = Math.max(committedRevision, fresh.revision);
      try {
        work(fresh, options.clock().instant());
        return;
      } catch (LeasedObjects.MissingException e) {
        // expected for a moment when another writer stopped naming it, deleted it, and this
        // read came just before: a newer object names it no longer; the same object is corrupt
        Optional<VersionedBytes> again = store.read(key);
        if (again.isEmpty()
            || again.get().version().equals(current.version())
            || reread >= ReadRetryingStore.RETRIES) {
          throw e;
        }
        current = again.get();
        fresh = StateCodec.decode(current.data());
      }
    }
  }

  /** Makes the working state the sealed one again (the last write's, or the last read). */
  private void adoptSealed(Instant now) {
    work(StateCodec.decode(sealedBytes), now);
  }

  /** Makes {@code sealed} the working state, with its segments and remembered keys. */
  private void work(QueueState sealed, Instant now) {
    state = sealed;
    segments.attach(state, true);
    leasedObjects.attach(state);
    archivedKeys.restore(state, now, inFlight == null);
  }

  /**
   * Rebuilds the working state from the sealed bytes and applies {@code commands} again (all but
   * the one that just failed): the undo of a command that threw after changing the state.
   */
  private void rebuild(List<Pending<?>> commands, Instant now) {
    List<Pending<?>> keep = new ArrayList<>(commands);
    adoptSealed(now);
    applied = new ArrayList<>();
    changesBefore = state.modCount;
    machine.tick(state, now);
    for (Pending<?> p : keep) {
      if (!p.apply(state, machine, now)) {
        rebuild(applied, now);
        p.rejectForGood();
      }
      applied.add(p);
    }
  }

  /**
   * After the working state failed to encode: finds the commands that put something unencodable
   * into it (by bisection over the batch, rebuilding from the sealed bytes each time), rejects
   * them, and leaves the state the others made. Returns whether any change is left to write.
   */
  private boolean isolateUnencodable(RuntimeException error, Instant now) {
    log.warn(
        "the state of {} cannot be encoded ({}); finding the requests that caused it",
        key,
        error.toString());
    List<Pending<?>> batch = applied;
    List<Pending<?>> accepted = new ArrayList<>();
    java.util.Set<Pending<?>> rejected =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    int from = 0;
    while (from < batch.size()) {
      if (encodes(accepted, batch.subList(from, batch.size()), now)) {
        accepted.addAll(batch.subList(from, batch.size()));
        break;
      }
      int lo = from; // batch[from, lo) encodes on top of accepted
      int hi = batch.size(); // batch[from, hi) does not
      while (hi - lo > 1) {
        int mid = (lo + hi) >>> 1;
        if (encodes(accepted, batch.subList(from, mid), now)) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      int culprit = hi - 1;
      accepted.addAll(batch.subList(from, culprit));
      Pending<?> bad = batch.get(culprit);
      bad.reject(
          new InvalidRequestException(
              "the request holds a value that cannot be stored: " + error.getMessage()));
      rejected.add(bad);
      from = culprit + 1;
    }
    if (encodes(accepted, List.of(), now) && state.modCount == changesBefore) {
      applied.addAll(rejected);
      return false;
    }
    applied.addAll(rejected); // answered with their errors together with the batch
    return true;
  }

  private boolean encodes(List<Pending<?>> accepted, List<Pending<?>> more, Instant now) {
    List<Pending<?>> commands = concat(accepted, more);
    rebuild(commands, now);
    try {
      StateCodec.encode(state);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Reads the segment a claim would reach next before commands apply (see Segments). */
  private void prefetchSegment() {
    try {
      segments.prefetch(state);
    } catch (RuntimeException e) {
      log.debug("prefetching a segment of {} failed: {}", key, e.toString());
    }
  }

  /** Leased-jobs objects read since the loop started (for tests and benchmarks). */
  public long leasedObjectReads() {
    return leasedObjects.reads();
  }

  /** Segment objects read since the loop started (for tests and benchmarks). */
  public long segmentReads() {
    return segments.segmentReads();
  }

  private void trouble(String what, Throwable e) {
    troubles.incrementAndGet();
    metrics.recordError();
    errors.warn(what, e);
    health.accept(EngineHealth.State.RETRYING, what + ": " + e);
  }

  private static void settle(List<Pending<?>> batch) {
    for (Pending<?> p : batch) {
      p.settle();
    }
  }

  private static List<Pending<?>> concat(List<Pending<?>> a, List<Pending<?>> b) {
    List<Pending<?>> all = new ArrayList<>(a);
    if (b != null) {
      all.addAll(b);
    }
    return all;
  }
}
