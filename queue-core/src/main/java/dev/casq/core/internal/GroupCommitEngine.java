package dev.casq.core.internal;

import dev.casq.api.CorruptStateException;
import dev.casq.api.QueueClosedException;
import dev.casq.api.QueueException;
import dev.casq.core.EngineOptions;
import dev.casq.core.QueuePolicy;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StoreLocation;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of one queue object in this process. Every command goes through it: at most one
 * compare-and-swap is in flight; commands that arrive meanwhile are applied at once and all go into
 * the next write. A command's future completes only after the write that contains it succeeded.
 *
 * <p>The algorithm is {@link CommitLoop}'s; this class is its driver: one engine thread owns the
 * loop and takes {@link InboxEvent}s (commands, ends of writes, wake-ups) from an inbox; one writer
 * thread performs the write in flight, including the re-reads that settle an unclear outcome. Any
 * error that escapes the loop fails the requests it concerns, is logged once, and the engine backs
 * off; a fenced engine, a corrupt object or an {@link Error} stops it for good, visibly ({@link
 * #health()}, and every later request fails at once with the cause).
 */
public final class GroupCommitEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitEngine.class);
  private static final AtomicInteger WRITER_THREADS = new AtomicInteger();
  private static final InboxEvent WAKE_UP = new InboxEvent.Wake();

  private final ObjectStore store;
  private final String key;
  private final QueueStateMachine machine;
  private final EngineOptions options;
  private final LinkedBlockingQueue<InboxEvent> inbox = new LinkedBlockingQueue<>();
  private final List<Consumer<QueueState>> commitListeners = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private final ExecutorService writer;
  private final EngineMetrics metrics = new EngineMetrics();
  private final CommitLoop loop;
  private final CompletableFuture<Void> started = new CompletableFuture<>();

  private volatile boolean closing;
  private volatile RuntimeException fatal;
  private volatile EngineHealth health;
  private CompletableFuture<Void> writeInFlight; // engine thread only

  /** Starts an engine for the object at {@code location}; loads or creates it first. */
  public GroupCommitEngine(StoreLocation location, QueuePolicy policy, EngineOptions options) {
    this.store = location.store();
    this.key = location.key();
    this.options = Objects.requireNonNull(options, "options");
    this.machine = new QueueStateMachine(policy, options.tokens(), pullChunk(options));
    this.health = new EngineHealth(EngineHealth.State.STARTING, null, options.clock().instant());
    this.writer =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t =
                  new Thread(r, "casq-write-" + key + "-" + WRITER_THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.loop =
        new CommitLoop(
            store, key, machine, options, metrics, Sleeper.REAL, this::startWrite, this::health);
    this.thread = new Thread(this::run, "casq-commit-" + key);
    this.thread.setDaemon(true);
    this.thread.start();
    try {
      started.join();
    } catch (CompletionException e) {
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
      p.fail(closed());
      return p.future;
    }
    inbox.add(new InboxEvent.Submitted(p));
    if (closing || fatal != null) {
      drainInbox(); // lost the race with close(): make sure nobody waits forever
    }
    return p.future;
  }

  /**
   * Submits several commands at once: the engine takes them together, one after the other, so they
   * go into the same write (which may then hold up to that many commands more than {@code
   * maxBatchSize}). Each is applied, and answered, on its own: one that is refused does not affect
   * the others.
   *
   * @param commands the commands, in order
   * @param <R> their result type
   * @return one future per command, in order
   */
  public <R> java.util.List<CompletableFuture<R>> submitAll(java.util.List<Command<R>> commands) {
    java.util.List<Pending<?>> pendings = new java.util.ArrayList<>(commands.size());
    java.util.List<CompletableFuture<R>> futures = new java.util.ArrayList<>(commands.size());
    for (Command<R> c : commands) {
      Pending<R> p = new Pending<>(c);
      pendings.add(p);
      futures.add(p.future);
    }
    if (pendings.isEmpty()) {
      return futures;
    }
    RuntimeException f = fatal;
    if (f != null || closing) {
      for (Pending<?> p : pendings) {
        p.fail(f != null ? f : closed());
      }
      return futures;
    }
    inbox.add(new InboxEvent.SubmittedAll(java.util.List.copyOf(pendings)));
    if (closing || fatal != null) {
      drainInbox(); // lost the race with close(): make sure nobody waits forever
    }
    return futures;
  }

  /** Sets the guard checked before every write (the broker's epoch fence). */
  public void guard(CommitGuard newGuard) {
    loop.guard(newGuard);
  }

  /**
   * Runs on the engine thread after every batch (and timer tick); must be quick and must not block.
   * The state it is given is the engine's working state: it holds everything committed and may
   * already hold the next batch, applied while its write waits for the previous one. Use it for
   * hints (are jobs ready?); {@link #committedRevision()} is the last durable revision.
   */
  public void onCommit(Consumer<QueueState> listener) {
    commitListeners.add(listener);
  }

  /**
   * The key of the queue object in the store.
   *
   * @return the queue key
   */
  public String key() {
    return key;
  }

  /**
   * The store the queue object lives in.
   *
   * @return the store
   */
  public ObjectStore store() {
    return store;
  }

  /**
   * The state machine the engine applies commands with.
   *
   * @return the state machine
   */
  public QueueStateMachine machine() {
    return machine;
  }

  /**
   * The engine's counters (commits, conflicts, bytes written ...).
   *
   * @return the metrics
   */
  public EngineMetrics metrics() {
    return metrics;
  }

  /** The revision of the last write this engine knows landed (-1 before the first). */
  public long committedRevision() {
    return loop.committedRevision();
  }

  /**
   * Whether this engine serves requests now ({@link EngineHealth.State#SERVING}), or why not.
   * Cheap: reads a volatile field; safe from any thread.
   */
  public EngineHealth health() {
    return health;
  }

  /** How many submitted commands wait for the engine to take them (a measure of overload). */
  public int queuedCommands() {
    return inbox.size();
  }

  /** The error that stopped the engine (fenced, corrupt object, internal error), if any. */
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
      return; // called from a callback on the engine thread: the loop stops after this event
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

  // ---------------------------------------------------------------- engine thread

  private void run() {
    try {
      loop.load();
      metrics.recordLoaded(loop.state());
      health(EngineHealth.State.SERVING, null);
      started.complete(null);
    } catch (RuntimeException | Error e) {
      RuntimeException failure = e instanceof RuntimeException re ? re : internalError(e);
      fatal = failure;
      health(EngineHealth.State.STOPPED, failure.getMessage());
      started.completeExceptionally(failure);
      writer.shutdown();
      return;
    }
    try {
      while (!closing) {
        try {
          step();
        } catch (InterruptedException e) {
          if (!closing) {
            log.warn("commit engine for {} interrupted", key);
          }
          break;
        } catch (FencedException | CorruptStateException e) {
          stop(e);
          return;
        } catch (RuntimeException e) {
          if (e instanceof dev.casq.storage.StoreConfigurationException) {
            stop(e);
            return;
          }
          loop.recover(e);
        } catch (Error e) {
          stop(internalError(e));
          return;
        }
      }
      closeDown();
    } finally {
      writer.shutdown();
    }
  }

  /**
   * One turn: waits for an event (or a timer), takes every event already waiting while the next
   * write has room, then lets the loop start the next write. When the next write is full, waits for
   * the write in flight instead of taking more commands.
   */
  private void step() throws InterruptedException {
    CommitLoop.Write w = loop.inFlight();
    if (w != null && !loop.hasRoom()) {
      awaitWrite();
      loop.writeEnded(w);
    } else {
      InboxEvent first = inbox.poll(loop.millisUntilDue(), TimeUnit.MILLISECONDS);
      if (first != null) {
        dispatch(first);
      }
    }
    InboxEvent next;
    while (!closing && loop.hasRoom() && (next = inbox.poll()) != null) {
      dispatch(next); // answered callers of a landed write send again: into the next write
    }
    if (!closing) {
      loop.flush();
    }
    notifyListeners();
  }

  private void dispatch(InboxEvent event) {
    if (event instanceof InboxEvent.Submitted s) {
      loop.accept(s.pending());
    } else if (event instanceof InboxEvent.SubmittedAll all) {
      for (Pending<?> p : all.pendings()) {
        loop.accept(p);
      }
    } else if (event instanceof InboxEvent.WriteEnded e) {
      loop.writeEnded(e.write());
    } // a wake-up only makes the loop look at its flags again
  }

  private void startWrite(CommitLoop.Write w) {
    writeInFlight = CompletableFuture.runAsync(w::perform, writer);
    writeInFlight.whenComplete((v, e) -> inbox.add(new InboxEvent.WriteEnded(w)));
  }

  private void awaitWrite() {
    if (writeInFlight != null) {
      writeInFlight.handle((v, e) -> null).join();
    }
  }

  private void closeDown() {
    if (loop.inFlight() != null) {
      awaitWrite();
    }
    loop.close(closed());
    drainInbox();
  }

  private void stop(RuntimeException e) {
    fatal = e;
    if (loop.inFlight() != null) {
      awaitWrite();
      loop.close(e);
    } else {
      loop.stop(e);
    }
    if (e instanceof FencedException) {
      log.info("commit engine for {} stops: {}", key, e.getMessage());
      health(EngineHealth.State.FENCED, e.getMessage());
    } else {
      log.error("commit engine for {} stops: {}", key, e.toString());
      health(EngineHealth.State.STOPPED, e.getMessage());
    }
    drainInbox();
  }

  private QueueException internalError(Throwable e) {
    return new QueueException("queue " + key + " stopped on an internal error: " + e, e);
  }

  // the engine thread and the writer thread both report: one change at a time, final states stay
  private synchronized void health(EngineHealth.State state, String reason) {
    EngineHealth now = health;
    if (now != null && now.state() == state && Objects.equals(now.reason(), reason)) {
      return;
    }
    if (now != null
        && (now.state() == EngineHealth.State.FENCED
            || (now.state() == EngineHealth.State.STOPPED && state != EngineHealth.State.FENCED))) {
      return; // final
    }
    health = new EngineHealth(state, reason, options.clock().instant());
  }

  private void drainInbox() {
    RuntimeException f = fatal;
    InboxEvent e;
    while ((e = inbox.poll()) != null) {
      if (e instanceof InboxEvent.Submitted s) {
        s.pending().fail(f != null ? f : closed());
      } else if (e instanceof InboxEvent.SubmittedAll all) {
        for (Pending<?> p : all.pendings()) {
          p.fail(f != null ? f : closed());
        }
      }
    }
  }

  private QueueClosedException closed() {
    return new QueueClosedException("queue " + key + " is closed");
  }

  private void notifyListeners() {
    QueueState state = loop.state();
    metrics.recordLatest(state);
    for (Consumer<QueueState> r : commitListeners) {
      try {
        r.accept(state);
      } catch (RuntimeException e) {
        log.warn("commit listener failed", e);
      }
    }
  }

  /** The state machine's pull chunk for these options: a quarter of the head's bound. */
  private static int pullChunk(EngineOptions options) {
    return options.headMaxReadyJobs() > 0
        ? Math.max(1, options.headMaxReadyJobs() / 4)
        : QueueStateMachine.DEFAULT_PULL_CHUNK;
  }
}
