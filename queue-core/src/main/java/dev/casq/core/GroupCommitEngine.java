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

  private final ObjectStore store;
  private final String key;
  private final QueueStateMachine machine;
  private final EngineOptions options;
  private final Duration minCommitInterval;
  private final LinkedBlockingQueue<Pending<?>> inbox = new LinkedBlockingQueue<>();
  private final List<java.util.function.Consumer<QueueState>> commitListeners = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private final EngineMetrics metrics = new EngineMetrics();

  private volatile CommitGuard guard = CommitGuard.NONE;
  private volatile boolean closing;
  private volatile RuntimeException fatal;

  // engine-thread state
  private QueueState state;
  private Version version;
  private Instant lastCommitEnd = Instant.EPOCH;
  private final CompletableFuture<Void> started = new CompletableFuture<>();

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
    this.minCommitInterval =
        options.minCommitInterval() != null
            ? options.minCommitInterval()
            : store.capabilities().minWriteInterval();
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
   * Runs on the engine thread after every batch (and timer tick), when the in-memory state is the
   * last committed one; must be quick and must not block. It may read the state it is given.
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

  private void run() {
    try {
      load();
      started.complete(null);
    } catch (RuntimeException e) {
      fatal = e;
      started.completeExceptionally(e);
      return;
    }
    List<Pending<?>> batch = new ArrayList<>();
    while (!closing) {
      try {
        batch.clear();
        Pending<?> first = inbox.poll(timerWaitMillis(), TimeUnit.MILLISECONDS);
        if (first == WAKE_UP) {
          break;
        }
        if (closing) {
          if (first != null) {
            first.fail(new QueueClosedException("queue " + key + " is closed"));
          }
          break;
        }
        if (first != null) {
          waitForMinInterval();
          batch.add(first);
          inbox.drainTo(batch, options.maxBatchSize() - 1);
          batch.remove(WAKE_UP);
        }
        commit(batch);
        notifyListeners();
      } catch (InterruptedException e) {
        if (!closing) {
          log.warn("commit engine for {} interrupted", key);
        }
        break;
      } catch (FencedException | CorruptStateException e) {
        stop(e, batch);
        return;
      } catch (RuntimeException e) {
        log.error("commit engine for {} failed a batch of {}: {}", key, batch.size(), e.toString());
        for (Pending<?> p : batch) {
          p.fail(e);
        }
        safeReload();
      }
    }
    drainInbox();
  }

  private void stop(RuntimeException e, List<Pending<?>> batch) {
    fatal = e;
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
  }

  private void safeReload() {
    try {
      readWithRetries().ifPresent(this::adopt);
    } catch (CorruptStateException e) {
      fatal = e;
      closing = true;
    } catch (RuntimeException e) {
      log.warn("re-reading {} failed: {}", key, e.toString());
    }
  }

  private Optional<VersionedBytes> readWithRetries() {
    StorageException last = null;
    for (int i = 0; i < READ_RETRIES; i++) {
      try {
        return store.read(key);
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

  private void commit(List<Pending<?>> batch) {
    int conflicts = 0;
    while (true) {
      guard.check(state);
      Instant now = options.clock().instant();
      long changesBefore = state.modCount;
      machine.tick(state, now);
      for (Pending<?> p : batch) {
        p.apply(state, machine, now);
      }
      ArchiveWrite archive = archiveIfDue(now);
      if (state.modCount == changesBefore) {
        settle(batch); // nothing changed (reads, empty claims): nothing to write
        return;
      }
      long revision = state.revision + 1;
      String commitId = options.tokens().get();
      state.recordCommit(revision, commitId, now);
      byte[] bytes = StateCodec.encode(state);
      long t0 = System.nanoTime();
      try {
        version = writeWithBackPressure(bytes);
        metrics.recordCommit(batch.size(), bytes.length, System.nanoTime() - t0);
        lastCommitEnd = options.clock().instant();
        settle(batch);
        return;
      } catch (PreconditionFailedException e) {
        metrics.recordConflict();
        log.debug("lost the race for {} at revision {}; re-reading", key, revision - 1);
        deleteArchive(archive);
        reloadAfterConflict();
        if (++conflicts > options.maxConflictRetries()) {
          throw new QueueException(
              "gave up after " + conflicts + " lost races for " + key + "; is another writer"
                  + " hammering the object?");
        }
        pause(ThreadLocalRandom.current().nextLong(0, Math.min(50, 1L << Math.min(conflicts, 6))));
      } catch (OutcomeUnknownException e) {
        metrics.recordUnknown();
        log.warn("write of {} revision {} had an unknown outcome ({}); re-reading to find out",
            key, revision, e.getMessage());
        VersionedBytes current = readWithRetries().orElseThrow(
            () -> new CorruptStateException("queue object " + key + " disappeared"));
        QueueState fresh = StateCodec.decode(current.data());
        Boolean landed = fresh.commitLanded(revision, commitId);
        state = fresh;
        version = current.version();
        if (Boolean.TRUE.equals(landed)) {
          log.info("write of {} revision {} did land", key, revision);
          lastCommitEnd = options.clock().instant();
          settle(batch);
          return;
        }
        if (landed == null) {
          CommitOutcomeUnknownException unknown =
              new CommitOutcomeUnknownException(
                  "cannot tell whether revision " + revision + " of " + key + " landed", e);
          for (Pending<?> p : batch) {
            p.fail(unknown);
          }
          return;
        }
        deleteArchive(archive);
        guard.check(state);
        log.info("write of {} revision {} did not land; retrying", key, revision);
      }
    }
  }

  private Version writeWithBackPressure(byte[] bytes) {
    for (int i = 0; ; i++) {
      try {
        return store.replace(key, bytes, version);
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
