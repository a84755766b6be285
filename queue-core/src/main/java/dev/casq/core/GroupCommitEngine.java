package dev.casq.core;

import dev.casq.storage.BackPressureException;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of one queue object in this process. Every command goes through it: at most one
 * compare-and-swap is in flight; commands that arrive meanwhile wait and are all applied in the
 * next write. A command's future completes only after the write that contains it succeeded.
 *
 * <ul>
 *   <li>Lost race (precondition failed): re-read, check the guard (a newer broker fences this
 *       engine for good), re-apply the batch to the fresh state, retry.
 *   <li>Unknown outcome: re-read and decide by the commit id recorded in the state; never guess.
 *   <li>Finished jobs are written to archive objects before the commit that drops them.
 *   <li>Expired leases are released on a timer even when no command arrives.
 * </ul>
 */
public final class GroupCommitEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitEngine.class);
  private static final DateTimeFormatter ARCHIVE_HOUR =
      DateTimeFormatter.ofPattern("yyyy/MM/dd/HH").withZone(ZoneOffset.UTC);
  private static final int READ_RETRIES = 20;
  private static final Pending<Void> WAKE_UP = new Pending<>(null);
  private static final java.util.concurrent.atomic.AtomicInteger WRITER_THREADS =
      new java.util.concurrent.atomic.AtomicInteger();

  private final ObjectStore store;
  private final String key;
  private final QueueStateMachine machine;
  private final EngineOptions options;
  private final Duration minCommitInterval;
  private final LinkedBlockingQueue<Pending<?>> inbox = new LinkedBlockingQueue<>();
  private final List<java.util.function.Consumer<QueueState>> commitListeners = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private final java.util.concurrent.ExecutorService writer;
  private final EngineMetrics metrics = new EngineMetrics();
  private volatile long committedRevision = -1;

  private volatile CommitGuard guard = CommitGuard.NONE;
  private volatile boolean closing;
  private volatile RuntimeException fatal;
  private volatile EngineHealth health;

  // engine-thread state
  private QueueState state;
  private Version version;
  private Instant lastCommitEnd = Instant.EPOCH;
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  /** Idempotency keys of the jobs in each archive object the state names (read at most once). */
  private final java.util.Map<String, List<ArchivedKey>> archivedKeys = new java.util.HashMap<>();

  private record ArchivedKey(String key, String jobId, Instant forgetAt) {}

  private static final class Pending<R> {
    final Command<R> command;
    final CompletableFuture<R> future = new CompletableFuture<>();
    R result;
    RuntimeException error;

    Pending(Command<R> command) {
      this.command = command;
    }

    void apply(QueueState s, QueueStateMachine m, Instant now) {
      result = null;
      error = null;
      try {
        result = command.apply(s, m, now);
      } catch (QueueException e) {
        error = e;
      }
    }

    void settle() {
      if (error != null) {
        future.completeExceptionally(error);
      } else {
        future.complete(result);
      }
    }

    void fail(Throwable t) {
      future.completeExceptionally(t);
    }
  }

  /** Starts an engine for the object at {@code location}; loads or creates it first. */
  public GroupCommitEngine(StoreLocation location, QueuePolicy policy, EngineOptions options) {
    this.store = location.store();
    this.key = location.key();
    this.options = Objects.requireNonNull(options, "options");
    this.machine = new QueueStateMachine(policy, options.tokens());
    this.health = new EngineHealth(EngineHealth.State.STARTING, null, options.clock().instant());
    this.minCommitInterval =
        options.minCommitInterval() != null
            ? options.minCommitInterval()
            : store.capabilities().minWriteInterval();
    this.writer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "casq-write-" + key + "-" + WRITER_THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::run, "casq-commit-" + key);
    this.thread.setDaemon(true);
    this.thread.start();
    try {
      started.join();
    } catch (java.util.concurrent.CompletionException e) {
      close();
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }

  /** Submits a command; the future completes after the write containing it succeeded. */
  public <R> CompletableFuture<R> submit(Command<R> command) {
    Pending<R> p = new Pending<>(command);
    RuntimeException f = fatal;
    if (f != null) {
      p.fail(f);
      return p.future;
    }
    if (closing) {
      p.fail(new QueueClosedException("queue " + key + " is closed"));
      return p.future;
    }
    inbox.add(p);
    if (closing || fatal != null) {
      drainInbox(); // lost the race with close(): make sure nobody waits forever
    }
    return p.future;
  }

  /** Sets the guard checked before every write (the broker's epoch fence). */
  public void guard(CommitGuard newGuard) {
    this.guard = Objects.requireNonNull(newGuard, "guard");
  }

  /**
   * Runs on the engine thread after every batch (and timer tick); must be quick and must not
   * block. The state it is given is the engine's working state: it holds everything committed
   * and may already hold the next batch, applied while its write waits for the previous one. Use
   * it for hints (are jobs ready?); {@link #committedRevision()} is the last durable revision.
   */
  public void onCommit(java.util.function.Consumer<QueueState> listener) {
    commitListeners.add(listener);
  }

  public String key() {
    return key;
  }

  public ObjectStore store() {
    return store;
  }

  public QueueStateMachine machine() {
    return machine;
  }

  public EngineMetrics metrics() {
    return metrics;
  }

  /** The revision of the last write this engine knows landed (-1 before the first). */
  public long committedRevision() {
    return committedRevision;
  }

  /**
   * Whether this engine serves requests now ({@link EngineHealth.State#SERVING}), or why not.
   * Cheap: reads volatile fields only; safe from any thread.
   */
  public EngineHealth health() {
    return health;
  }

  /** How many submitted commands wait for the engine to take them (a measure of overload). */
  public int queuedCommands() {
    return inbox.size();
  }

  /** The error that stopped the engine (fenced, corrupt object), if any. */
  public Optional<RuntimeException> failure() {
    return Optional.ofNullable(fatal);
  }

  /**
   * Stops taking requests, lets the write in flight (if any) finish, fails what still waits with
   * {@link QueueClosedException}, and stops the engine thread.
   */
  @Override
  public void close() {
    closing = true;
    if (fatal == null) {
      health(EngineHealth.State.STOPPED, "closed");
    }
    inbox.add(WAKE_UP);
    if (Thread.currentThread() == thread) {
      return; // called from a callback on the engine thread: the loop stops after this batch
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      if (thread.isAlive()) {
        log.warn("commit engine for {} did not stop in 30s; interrupting it", key);
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    drainInbox();
  }

  private void drainInbox() {
    Pending<?> p;
    RuntimeException f = fatal;
    while ((p = inbox.poll()) != null) {
      if (p != WAKE_UP) {
        p.fail(f != null ? f : new QueueClosedException("queue " + key + " is closed"));
      }
    }
  }

  // ---------------------------------------------------------------- engine thread

  /**
   * Commands applied to the working state while the previous write is in flight. They are
   * encoded and written together as soon as that write lands: every command that arrives during a
   * write goes into the next one (a pipeline of two: applying commands overlaps the write).
   */
  private static final class Applied {
    final List<Pending<?>> batch = new ArrayList<>();
    final long changesBefore;

    Applied(long changesBefore) {
      this.changesBefore = changesBefore;
    }
  }

  /** A batch applied to the working state and encoded, ready to be written. */
  private static final class Prepared {
    final List<Pending<?>> batch;
    final byte[] bytes; // null: the batch changed nothing, there is nothing to write
    final long revision;
    final String commitId;
    final ArchiveWrite archive;
    final Pending<Void> written = new Pending<>(null); // put into the inbox when the write ends
    CompletableFuture<Version> write;
    long startNanos;

    Prepared(List<Pending<?>> batch, byte[] bytes, long revision, String commitId,
        ArchiveWrite archive) {
      this.batch = batch;
      this.bytes = bytes;
      this.revision = revision;
      this.commitId = commitId;
      this.archive = archive;
    }
  }

  private void run() {
    try {
      load();
      health(EngineHealth.State.SERVING, null);
      started.complete(null);
    } catch (RuntimeException e) {
      fatal = e;
      health(EngineHealth.State.STOPPED, e.getMessage());
      started.completeExceptionally(e);
      writer.shutdown();
      return;
    }
    List<Pending<?>> batch = new ArrayList<>();
    Prepared inFlight = null;
    Applied applied = null;
    try {
      while (!closing) {
        Prepared done = null;
        try {
          batch = new ArrayList<>();
          boolean writeEnded = false;
          if (inFlight != null && applied != null
              && applied.batch.size() >= options.maxBatchSize()) {
            inFlight.write.handle((v, e) -> null).join(); // the next batch is full: wait
            writeEnded = true;
          }
          Pending<?> first = writeEnded ? inbox.poll() : inbox.poll(
              inFlight != null ? 1000 : timerWaitMillis(), TimeUnit.MILLISECONDS);
          if (first != null) {
            batch.add(first);
            writeEnded |= drainCommands(batch, room(applied) - 1, inFlight);
          }
          if (closing) {
            for (Pending<?> p : batch) {
              p.fail(new QueueClosedException("queue " + key + " is closed"));
            }
            break;
          }
          if (inFlight == null) {
            if (first != null && batch.isEmpty()) {
              continue; // only markers
            }
            Prepared next = seal(apply(null, batch));
            if (next.bytes == null) {
              settle(next.batch);
              notifyListeners();
            } else {
              inFlight = start(next);
            }
            continue;
          }
          if (!batch.isEmpty()) {
            applied = apply(applied, batch); // on top of the write in flight
          }
          if (!writeEnded) {
            continue;
          }
          done = inFlight;
          inFlight = null;
          if (!finish(done, applied == null ? List.of() : applied.batch)) { // applied: see below
            done = null; // finish committed both batches again the slow way
            applied = null;
            notifyListeners();
            continue;
          }
          settle(done.batch);
          done = null;
          // callers answered just now (in this process) may have sent their next command already:
          // it joins the next write instead of waiting for the one after it
          if (room(applied) > 0 && !inbox.isEmpty()) {
            batch = new ArrayList<>(); // what was in it is in `applied` already
            drainCommands(batch, room(applied), null); // close is seen at the loop's top
            if (!batch.isEmpty()) {
              applied = apply(applied, batch);
            }
          }
          Prepared next = applied == null ? null : seal(applied);
          if (next != null && next.bytes == null) {
            settle(next.batch);
          } else if (next != null) {
            inFlight = start(next);
          }
          applied = null; // written (in flight) or settled: no error path may fail it now
          notifyListeners();
        } catch (InterruptedException e) {
          if (!closing) {
            log.warn("commit engine for {} interrupted", key);
          }
          QueueClosedException closed = new QueueClosedException("queue " + key + " is closed");
          settleQuietly(done, closed);
          failAll(applied, batch, closed);
          applied = null;
          break;
        } catch (FencedException | CorruptStateException e) {
          settleQuietly(inFlight, e);
          settleQuietly(done, e);
          inFlight = null;
          failAll(applied, List.of(), e);
          applied = null;
          stop(e, batch);
          return;
        } catch (RuntimeException e) {
          log.error("commit engine for {} failed a batch of {}: {}", key, batch.size(),
              e.toString());
          settleQuietly(inFlight, e);
          settleQuietly(done, e);
          inFlight = null;
          failAll(applied, batch, e);
          applied = null;
          safeReload();
        }
      }
      QueueClosedException closed = new QueueClosedException("queue " + key + " is closed");
      settleQuietly(inFlight, closed);
      failAll(applied, batch, closed);
      drainInbox();
    } finally {
      writer.shutdown();
    }
  }

  /** How many more commands the next write may take. */
  private int room(Applied applied) {
    return options.maxBatchSize() - (applied == null ? 0 : applied.batch.size());
  }

  /**
   * Moves up to {@code max} waiting requests into {@code batch} and drops the markers among them
   * (close, the end of a write); returns whether one marked the end of {@code inFlight}'s write.
   */
  private boolean drainCommands(List<Pending<?>> batch, int max, Prepared inFlight) {
    inbox.drainTo(batch, Math.max(0, max));
    boolean writeEnded = false;
    for (java.util.Iterator<Pending<?>> it = batch.iterator(); it.hasNext(); ) {
      Pending<?> p = it.next();
      if (p.command == null) { // a marker: close, or the end of a write (maybe an old one)
        writeEnded |= inFlight != null && p == inFlight.written;
        it.remove();
      }
    }
    return writeEnded;
  }

  /** Fails what waits in {@code applied} and {@code batch} (no effect on settled ones). */
  private static void failAll(Applied applied, List<Pending<?>> batch, RuntimeException e) {
    if (applied != null) {
      for (Pending<?> p : applied.batch) {
        p.fail(e);
      }
    }
    for (Pending<?> p : batch) {
      p.fail(e);
    }
  }

  /** Applies commands (and the timer's work) to the working state, adding them to {@code to}. */
  private Applied apply(Applied to, List<Pending<?>> commands) {
    guard.check(state);
    Applied a = to != null ? to : new Applied(state.modCount);
    Instant now = options.clock().instant();
    machine.tick(state, now);
    for (Pending<?> p : commands) {
      p.apply(state, machine, now);
    }
    a.batch.addAll(commands);
    return a;
  }

  /** Archives what is due and encodes the working state for the write of {@code a}. */
  private Prepared seal(Applied a) {
    Instant now = options.clock().instant();
    ArchiveWrite archive = archiveIfDue(now);
    if (state.modCount == a.changesBefore) {
      return new Prepared(a.batch, null, state.revision, null, null);
    }
    long revision = state.revision + 1;
    String commitId = options.tokens().get();
    state.recordCommit(revision, commitId, now);
    return new Prepared(a.batch, StateCodec.encode(state), revision, commitId, archive);
  }

  /** Starts the write of a prepared batch on the writer thread, after the last one landed. */
  private Prepared start(Prepared p) throws InterruptedException {
    waitForMinInterval();
    Version expected = version;
    p.startNanos = System.nanoTime();
    p.write = CompletableFuture.supplyAsync(() -> writeWithBackPressure(p.bytes, expected), writer);
    p.write.whenComplete((v, e) -> inbox.add(p.written));
    return p;
  }

  /**
   * Waits for the write of {@code done}. When it landed, returns true: the caller settles its
   * batch. When it did not (or cannot be known), the working state is re-read, and the batches
   * that still need writing ({@code done}'s and the {@code following} commands applied on top of
   * it) are committed again the slow way, one write at a time; returns false.
   */
  private boolean finish(Prepared done, List<Pending<?>> following) {
    Throwable failure;
    try {
      version = done.write.join();
      recordLanded(done.batch.size(), done.bytes.length, done.revision, done.startNanos);
      return true;
    } catch (java.util.concurrent.CompletionException e) {
      failure = e.getCause() != null ? e.getCause() : e;
    }
    List<Pending<?>> redo = new ArrayList<>();
    if (failure instanceof PreconditionFailedException) {
      metrics.recordConflict();
      log.debug("lost the race for {} at revision {}; re-reading", key, done.revision - 1);
      deleteArchive(done.archive);
      reloadAfterConflict();
      redo.addAll(done.batch);
    } else if (failure instanceof OutcomeUnknownException e) {
      metrics.recordUnknown();
      Boolean landed = resolveUnknown(done.revision, done.commitId, e);
      if (Boolean.TRUE.equals(landed)) {
        landed(done.batch, done.bytes.length, done.revision, done.startNanos);
      } else if (landed == null) {
        failUnknown(done.batch, done.revision, e);
      } else {
        deleteArchive(done.archive);
        guard.check(state);
        redo.addAll(done.batch);
      }
    } else {
      for (Pending<?> p : done.batch) {
        p.fail(failure);
      }
      safeReload();
    }
    redo.addAll(following);
    if (!redo.isEmpty()) {
      commit(redo);
    }
    return false;
  }

  /** Settles a batch whose write is known to have landed. */
  private void landed(List<Pending<?>> batch, int bytes, long revision, long startNanos) {
    recordLanded(batch.size(), bytes, revision, startNanos);
    settle(batch);
  }

  private void recordLanded(int commands, int bytes, long revision, long startNanos) {
    metrics.recordCommit(commands, bytes, System.nanoTime() - startNanos);
    lastCommitEnd = options.clock().instant();
    committedRevision = revision;
  }

  /** Waits for a write in flight when the engine stops; settles or fails its batch. */
  private void settleQuietly(Prepared p, RuntimeException reason) {
    if (p == null) {
      return;
    }
    try {
      if (p.write != null) {
        version = p.write.join();
        landed(p.batch, p.bytes.length, p.revision, p.startNanos);
        return;
      }
    } catch (RuntimeException e) {
      log.debug("write of {} revision {} failed while stopping: {}", key, p.revision, e.toString());
    }
    for (Pending<?> pending : p.batch) {
      pending.fail(reason);
    }
  }

  private void health(EngineHealth.State state, String reason) {
    health = new EngineHealth(state, reason, options.clock().instant());
  }

  private void stop(RuntimeException e, List<Pending<?>> batch) {
    fatal = e;
    health(e instanceof FencedException ? EngineHealth.State.FENCED : EngineHealth.State.STOPPED,
        e.getMessage());
    if (e instanceof FencedException) {
      log.info("commit engine for {} stops: {}", key, e.getMessage());
    } else {
      log.error("commit engine for {} stops: {}", key, e.getMessage());
    }
    for (Pending<?> p : batch) {
      p.fail(e);
    }
    drainInbox();
  }

  private long timerWaitMillis() {
    Instant now = options.clock().instant();
    Instant next = null;
    if (!state.leased.isEmpty()) {
      next = state.leased.first().lease().expiresAt();
    }
    if (!state.finished.isEmpty()) {
      Instant archiveAt = state.finished.get(0).finishedAt().plus(options.archiveMaxDelay());
      next = next == null || archiveAt.isBefore(next) ? archiveAt : next;
    }
    if (!state.scheduled.isEmpty()) {
      Instant due = state.scheduled.first().runAt();
      next = next == null || due.isBefore(next) ? due : next;
    }
    if (next == null) {
      return 1000;
    }
    long ms = Duration.between(now, next).toMillis() + 1;
    return Math.max(1, Math.min(ms, 1000));
  }

  private void waitForMinInterval() throws InterruptedException {
    if (minCommitInterval.isZero()) {
      return;
    }
    long waitMs =
        Duration.between(options.clock().instant(), lastCommitEnd.plus(minCommitInterval))
            .toMillis();
    if (waitMs > 0) {
      Thread.sleep(waitMs); // rate limit of the store, not synchronisation
    }
  }

  private void load() {
    for (int attempt = 0; ; attempt++) {
      Optional<VersionedBytes> current = readWithRetries();
      if (current.isPresent()) {
        adopt(current.get());
        return;
      }
      String commitId = options.tokens().get();
      byte[] empty = StateCodec.encodeEmpty(commitId, options.clock().instant());
      try {
        version = store.create(key, empty);
        state = StateCodec.decode(empty);
        committedRevision = state.revision;
        log.info("created queue object {} in {}", key, store.describe());
        return;
      } catch (PreconditionFailedException e) {
        log.debug("queue object {} was created concurrently; reading it", key);
      } catch (OutcomeUnknownException e) {
        log.debug("creating {} had an unknown outcome; reading it", key);
      }
      if (attempt > READ_RETRIES) {
        throw new StorageException("could not create or read the queue object " + key);
      }
    }
  }

  private void adopt(VersionedBytes current) {
    state = StateCodec.decode(current.data());
    version = current.version();
    committedRevision = state.revision;
    restoreKeys();
  }

  /**
   * Remembers the idempotency keys of finished jobs again after the state was read: those of the
   * archive objects the state names (read once, then cached) and those of the finished jobs still
   * in the object. Keys are not written into the queue object; this is where they come from.
   */
  private void restoreKeys() {
    QueuePolicy policy = machine.policy();
    int max = policy.maxRememberedKeys();
    if (max <= 0) {
      return;
    }
    Instant now = options.clock().instant();
    java.util.Set<String> named = new java.util.HashSet<>();
    for (QueueState.ArchiveRef a : state.archives) {
      named.add(a.key());
      if (!a.at().plus(policy.idempotencyRetention()).isAfter(now)) {
        continue; // every key in it is forgotten by now
      }
      for (ArchivedKey k : archivedKeys.computeIfAbsent(a.key(), this::readArchivedKeys)) {
        if (k.forgetAt().isAfter(now)) {
          state.remember(k.key(), k.jobId(), k.forgetAt(), max);
        }
      }
    }
    archivedKeys.keySet().retainAll(named);
    for (Job j : state.finished) {
      Instant forgetAt = j.finishedAt().plus(policy.idempotencyRetention());
      if (j.idempotencyKey() != null && forgetAt.isAfter(now)) {
        state.remember(j.idempotencyKey(), j.id(), forgetAt, max);
      }
    }
  }

  private List<ArchivedKey> readArchivedKeys(String archiveKey) {
    try {
      Optional<VersionedBytes> archive = readWithRetries(archiveKey);
      if (archive.isEmpty()) {
        log.warn("archive object {} named by {} is missing; the idempotency keys of its jobs are"
            + " forgotten", archiveKey, key);
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
    Duration retention = machine.policy().idempotencyRetention();
    List<ArchivedKey> keys = new ArrayList<>();
    for (Job j : jobs) {
      if (j.idempotencyKey() != null && j.finishedAt() != null) {
        keys.add(new ArchivedKey(j.idempotencyKey(), j.id(), j.finishedAt().plus(retention)));
      }
    }
    return keys;
  }

  /**
   * Names a new archive object in the state while its jobs' keys may be remembered, and stops
   * naming the oldest ones once their keys are all forgotten (by time, or because newer archives
   * alone hold as many keys as are remembered at most).
   */
  private void nameArchive(String archiveKey, List<Job> records, Instant now) {
    QueuePolicy policy = machine.policy();
    List<QueueState.ArchiveRef> named = state.archives;
    List<ArchivedKey> keys = keysOf(records);
    if (!keys.isEmpty() && policy.maxRememberedKeys() > 0
        && !policy.idempotencyRetention().isZero()) {
      named.add(new QueueState.ArchiveRef(archiveKey, keys.size(), now));
      archivedKeys.put(archiveKey, keys);
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

  private void safeReload() {
    try {
      readWithRetries().ifPresent(this::adopt);
    } catch (CorruptStateException e) {
      fatal = e;
      health(EngineHealth.State.STOPPED, e.getMessage());
      closing = true;
    } catch (RuntimeException e) {
      log.warn("re-reading {} failed: {}", key, e.toString());
    }
  }

  private Optional<VersionedBytes> readWithRetries() {
    return readWithRetries(key);
  }

  private Optional<VersionedBytes> readWithRetries(String objectKey) {
    StorageException last = null;
    for (int i = 0; i < READ_RETRIES; i++) {
      try {
        return store.read(objectKey);
      } catch (BackPressureException e) {
        last = e;
        pause(e.retryAfter().toMillis());
      } catch (dev.casq.storage.StoreConfigurationException e) {
        throw e;
      } catch (StorageException e) {
        last = e;
        pause(Math.min(1000, 10L << Math.min(i, 6)));
      }
    }
    throw last;
  }

  /** Commits a batch the slow way: apply, write, and on a lost race re-read and retry. */
  private void commit(List<Pending<?>> batch) {
    int conflicts = 0;
    while (true) {
      Prepared p = seal(apply(null, batch));
      if (p.bytes == null) {
        settle(batch); // nothing changed (reads, empty claims): nothing to write
        return;
      }
      long t0 = System.nanoTime();
      try {
        version = writeWithBackPressure(p.bytes, version);
        landed(batch, p.bytes.length, p.revision, t0);
        return;
      } catch (PreconditionFailedException e) {
        metrics.recordConflict();
        log.debug("lost the race for {} at revision {}; re-reading", key, p.revision - 1);
        deleteArchive(p.archive);
        reloadAfterConflict();
        if (++conflicts > options.maxConflictRetries()) {
          throw new QueueException(
              "gave up after " + conflicts + " lost races for " + key + "; is another writer"
                  + " hammering the object?");
        }
        pause(ThreadLocalRandom.current().nextLong(0, Math.min(50, 1L << Math.min(conflicts, 6))));
      } catch (OutcomeUnknownException e) {
        metrics.recordUnknown();
        Boolean landed = resolveUnknown(p.revision, p.commitId, e);
        if (Boolean.TRUE.equals(landed)) {
          landed(batch, p.bytes.length, p.revision, t0);
          return;
        }
        if (landed == null) {
          failUnknown(batch, p.revision, e);
          return;
        }
        deleteArchive(p.archive);
        guard.check(state);
        log.info("write of {} revision {} did not land; retrying", key, p.revision);
      }
    }
  }

  /**
   * After a write of unknown outcome: re-reads the object (it becomes the working state) and
   * tells by the commit marks whether the write landed: true, false, or null when it cannot tell.
   */
  private Boolean resolveUnknown(long revision, String commitId, OutcomeUnknownException e) {
    log.warn("write of {} revision {} had an unknown outcome ({}); re-reading to find out",
        key, revision, e.getMessage());
    VersionedBytes current = readWithRetries().orElseThrow(
        () -> new CorruptStateException("queue object " + key + " disappeared"));
    adopt(current);
    Boolean landed = state.commitLanded(revision, commitId);
    if (Boolean.TRUE.equals(landed)) {
      log.info("write of {} revision {} did land", key, revision);
    }
    return landed;
  }

  private void failUnknown(List<Pending<?>> batch, long revision, OutcomeUnknownException e) {
    CommitOutcomeUnknownException unknown =
        new CommitOutcomeUnknownException(
            "cannot tell whether revision " + revision + " of " + key + " landed", e);
    for (Pending<?> p : batch) {
      p.fail(unknown);
    }
  }

  private Version writeWithBackPressure(byte[] bytes, Version expected) {
    for (int i = 0; ; i++) {
      try {
        return store.replace(key, bytes, expected);
      } catch (BackPressureException e) {
        metrics.recordBackPressure();
        if (i >= READ_RETRIES) {
          throw e;
        }
        pause(Math.max(1, e.retryAfter().toMillis()));
      }
    }
  }

  private void reloadAfterConflict() {
    VersionedBytes current = readWithRetries().orElseThrow(
        () -> new CorruptStateException(
            "queue object " + key + " was deleted while in use; refusing to recreate it"));
    adopt(current);
    guard.check(state);
  }

  private record ArchiveWrite(String key, int count) {}

  private ArchiveWrite archiveIfDue(Instant now) {
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
    int n = finished.size(); // everything finished so far goes into this archive object
    List<Job> records = new ArrayList<>(finished);
    String commitRef = (state.revision + 1) + "-" + options.tokens().get();
    String archiveKey = key + ".archive/" + ARCHIVE_HOUR.format(now) + "/" + commitRef + ".json";
    try {
      store.put(archiveKey, StateCodec.encodeArchive(records, commitRef));
    } catch (StorageException e) {
      log.warn("archive write {} failed ({}); finished jobs stay in the queue object for now",
          archiveKey, e.toString());
      return null;
    }
    state.dropFinished(n);
    state.counters.archived += n;
    nameArchive(archiveKey, records, now);
    metrics.recordArchive(n);
    return new ArchiveWrite(archiveKey, n);
  }

  private void deleteArchive(ArchiveWrite archive) {
    if (archive == null) {
      return;
    }
    try {
      store.delete(archive.key());
    } catch (StorageException e) {
      log.warn("could not delete archive {} of a commit that did not land: {}", archive.key(),
          e.toString());
    }
  }

  private static void settle(List<Pending<?>> batch) {
    for (Pending<?> p : batch) {
      p.settle();
    }
  }

  private void notifyListeners() {
    for (java.util.function.Consumer<QueueState> r : commitListeners) {
      try {
        r.accept(state);
      } catch (RuntimeException e) {
        log.warn("commit listener failed", e);
      }
    }
  }

  private static void pause(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis); // back-off before retrying storage, not synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueClosedException("interrupted while backing off");
    }
  }


}
