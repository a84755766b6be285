package dev.casq.sim;

import dev.casq.api.ClaimRequest;
import dev.casq.api.CorruptStateException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.PushResult;
import dev.casq.core.EngineOptions;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.Command;
import dev.casq.core.internal.CommitGuard;
import dev.casq.core.internal.CommitLoop;
import dev.casq.core.internal.EngineMetrics;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.Lease;
import dev.casq.core.internal.PushRequest;
import dev.casq.core.internal.QueueStateMachine;
import dev.casq.core.internal.Sleeper;
import dev.casq.core.internal.StateCodec;
import dev.casq.election.BrokerHeartbeatCommand;
import dev.casq.election.ClaimBrokerCommand;
import dev.casq.election.EpochGuard;
import dev.casq.election.ProbeResult;
import dev.casq.election.TakeoverRule;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.VersionedBytes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * One broker process in the simulation, driving a real {@link CommitLoop} as {@code
 * GroupCommitEngine} does, but on simulated time: requests wait in an inbox and are applied while
 * the next write has room; a write is performed and handed back later (store latency, sometimes a
 * spike); a fenced or broken loop stops for good. It takes the queue with the election's own
 * commands and rules ({@link ClaimBrokerCommand} under a candidate guard, then {@link EpochGuard},
 * {@link BrokerHeartbeatCommand} every heartbeat interval, {@link TakeoverRule} while standing by).
 *
 * <p>A kill drops the loop with everything in memory (a write already sent still reaches the
 * store); a pause holds every event of the process until it resumes (a GC pause, a frozen VM).
 */
final class SimBroker {
  enum Mode {
    DOWN,
    STANDBY,
    CLAIMING,
    SERVING,
    STOPPED
  }

  /** A request a client sent, with where its answer goes. */
  record Delivery(Request request, Consumer<Reply> reply) {}

  /** An answer to a client. */
  record Reply(Op.Phase phase, Object result, String error, Op.Stamp stamp) {
    Reply(Op.Phase phase, Object result, String error) {
      this(phase, result, error, null);
    }
  }

  /** A command that remembers where it was applied last (the application that lands). */
  private final class Stamped<R> implements Command<R> {
    private final Command<R> command;
    private Op.Stamp stamp;

    Stamped(Command<R> command) {
      this.command = command;
    }

    @Override
    public R apply(dev.casq.core.internal.QueueState s, QueueStateMachine m, Instant now) {
      // sealed into the write after the one that made s.revision(); applied again after a lost
      // race, so the last application is the one that counts
      stamp = new Op.Stamp(s.revision() + 1, ++commandsApplied, sim.scheduler.now());
      return command.apply(s, m, now);
    }

    @Override
    public boolean readOnly() {
      return command.readOnly();
    }
  }

  private final Simulation sim;
  final String id;
  final SimClock clock;
  private final SplittableRandom random;
  private final ArrayDeque<Delivery> inbox = new ArrayDeque<>();
  private Mode mode = Mode.DOWN;
  private int generation;
  private long pausedUntil;
  private long latencySpikeUntil;
  private CommitLoop loop;
  private BrokerRecord held;
  private boolean heartbeatInFlight;
  private boolean turnScheduled;
  private long wakeAt = Long.MAX_VALUE;
  private RuntimeException closeOnDelivery;
  private long tokens;
  private long commandsApplied;

  SimBroker(Simulation sim, String id, SplittableRandom random, long clockOffset) {
    this.sim = sim;
    this.id = id;
    this.random = random;
    this.clock = new SimClock(sim.scheduler, clockOffset);
  }

  Mode mode() {
    return mode;
  }

  boolean paused() {
    return sim.scheduler.now() < pausedUntil;
  }

  String address() {
    return "http://" + id + ".sim:8080";
  }

  /** What this process answers on {@code /health}, for the takeover rule. */
  ProbeResult probe(BrokerRecord recorded) {
    if (mode == Mode.DOWN) {
      return ProbeResult.refused("connection refused");
    }
    if (paused()) {
      return ProbeResult.timedOut("no answer");
    }
    if (mode == Mode.SERVING && held != null && held.epoch() == recorded.epoch()) {
      return ProbeResult.healthyAnswerOf(recorded);
    }
    String status = mode == Mode.STOPPED ? "fenced" : "starting";
    return new ProbeResult(ProbeResult.Outcome.ANSWERED, 503, id, status, null, "503 " + status);
  }

  // ---------------------------------------------------------------- life cycle (faults)

  /** Starts the process: it stands by and takes the queue when the takeover rule says so. */
  void start() {
    generation++;
    mode = Mode.STANDBY;
    loop = null;
    held = null;
    inbox.clear();
    sim.history.note(sim.scheduler.now(), id + " starts");
    event(0, this::considerTakeover);
  }

  /** Kills the process: all it holds in memory is gone; it answers nobody. */
  void kill() {
    if (mode == Mode.DOWN) {
      return;
    }
    generation++;
    mode = Mode.DOWN;
    loop = null;
    held = null;
    inbox.clear();
    sim.history.note(sim.scheduler.now(), id + " killed");
  }

  void pause(long millis) {
    pausedUntil = Math.max(pausedUntil, sim.scheduler.now() + millis);
    sim.history.note(sim.scheduler.now(), id + " paused for " + millis + "ms");
  }

  void latencySpike(long millis) {
    latencySpikeUntil = sim.scheduler.now() + millis;
  }

  // ---------------------------------------------------------------- requests

  /** A request arrives from a client (after the network's delay). */
  void receive(Delivery d) {
    if (mode == Mode.DOWN) {
      return; // nobody listens: the client times out
    }
    int gen = generation;
    runAsProcess(
        gen,
        () -> {
          if (mode != Mode.SERVING) {
            d.reply().accept(new Reply(Op.Phase.FAIL, null, "not serving (" + mode + ")"));
            return;
          }
          inbox.add(d);
          scheduleTurn(0);
        });
  }

  /** Looks at the queue object now (every standby at once makes a storm of claims). */
  void nudge() {
    int gen = generation;
    runAsProcess(gen, this::considerTakeover);
  }

  // ---------------------------------------------------------------- election

  private void considerTakeover() {
    if (mode != Mode.STANDBY) {
      return;
    }
    Optional<VersionedBytes> read;
    try {
      read = sim.store.read(Simulation.KEY);
    } catch (RuntimeException e) {
      event(200, this::considerTakeover);
      return;
    }
    BrokerRecord recorded = read.map(v -> StateCodec.decode(v.data()).broker()).orElse(null);
    boolean restart = recorded != null && recorded.id().equals(id);
    boolean take =
        restart
            || TakeoverRule.decide(
                    recorded,
                    recorded == null ? ProbeResult.notAsked() : sim.probe(recorded),
                    clock.instant(),
                    sim.election.staleAfter())
                .takeOver();
    if (!take) {
      event(300 + random.nextLong(700), this::considerTakeover);
      return;
    }
    claim();
  }

  private void claim() {
    mode = Mode.CLAIMING;
    int gen = ++generation;
    loop = newLoop(gen);
    try {
      loop.load();
    } catch (RuntimeException e) {
      standByAgain("could not load: " + e.getMessage());
      return;
    }
    loop.guard(candidateGuard());
    CompletableFuture<BrokerRecord> claimed =
        loop.submit(new ClaimBrokerCommand(id, address(), sim.election));
    claimed.whenComplete(
        (record, error) -> {
          if (gen != generation) {
            return;
          }
          if (error == null) {
            held = record;
            loop.guard(new EpochGuard(record));
            mode = Mode.SERVING;
            // a heartbeat of an earlier term whose process died never answers: not in flight now
            heartbeatInFlight = false;
            sim.history.note(sim.scheduler.now(), id + " serves at epoch " + record.epoch());
            event(sim.election.heartbeatInterval().toMillis(), this::heartbeat);
          } else {
            sim.scheduler.after(
                0,
                () -> {
                  if (gen == generation && mode == Mode.CLAIMING) {
                    standByAgain("claim failed: " + unwrap(error));
                  }
                });
          }
        });
    scheduleTurn(0);
  }

  /** The candidate's guard: write only over a state whose broker is none, this one, or stale. */
  private CommitGuard candidateGuard() {
    return state -> {
      BrokerRecord r = state.broker();
      if (r != null
          && !r.id().equals(id)
          && !TakeoverRule.isResigned(r)
          && !TakeoverRule.probeNeeded(r, clock.instant(), sim.election.staleAfter())) {
        throw new FencedException(r); // a live broker holds it: never write over its state
      }
    };
  }

  private void heartbeat() {
    if (mode != Mode.SERVING) {
      return;
    }
    event(sim.election.heartbeatInterval().toMillis(), this::heartbeat);
    if (heartbeatInFlight) {
      return;
    }
    heartbeatInFlight = true;
    int gen = generation;
    loop.submit(new BrokerHeartbeatCommand(held))
        .whenComplete(
            (record, error) -> {
              if (gen != generation) {
                return;
              }
              heartbeatInFlight = false;
              if (error == null) {
                held = record;
              } else if (unwrap(error) instanceof FencedException f) {
                sim.scheduler.after(
                    0,
                    () -> {
                      if (gen == generation) {
                        fatal(f);
                      }
                    });
              }
            });
    scheduleTurn(0);
  }

  private void standByAgain(String why) {
    sim.history.note(sim.scheduler.now(), id + " stands by: " + why);
    generation++;
    mode = Mode.STANDBY;
    loop = null;
    held = null;
    failInbox("not serving");
    event(500 + random.nextLong(1000), this::considerTakeover);
  }

  // ---------------------------------------------------------------- the driver

  private CommitLoop newLoop(int gen) {
    String prefix = id + "." + gen + ".";
    EngineOptions options =
        new EngineOptions(
            Duration.ZERO,
            64,
            50,
            8,
            Duration.ofSeconds(2),
            clock,
            () -> prefix + (++tokens) + "-" + Long.toHexString(random.nextLong()));
    options = sim.config.layout().apply(options);
    QueueStateMachine machine = new QueueStateMachine(sim.policy, options.tokens());
    Sleeper sleeper = d -> sim.scheduler.advance(d.toMillis()); // back-offs pass simulated time
    CommitLoop.OutcomePolicy outcomes =
        sim.config.breakage() == Breakage.GUESS_LOST
            ? CommitLoop.OutcomePolicy.GUESS_LOST_FOR_TESTING
            : CommitLoop.OutcomePolicy.RESOLVE;
    return new CommitLoop(
        sim.store,
        Simulation.KEY,
        machine,
        options,
        new EngineMetrics(),
        sleeper,
        w -> startWrite(gen, w),
        (state, reason) -> {},
        outcomes);
  }

  private void scheduleTurn(long delay) {
    if (turnScheduled) {
      return;
    }
    turnScheduled = true;
    int gen = generation;
    sim.scheduler.after(
        delay,
        () -> {
          if (gen == generation) {
            turnScheduled = false;
          }
          runAsProcess(gen, this::turn);
        });
  }

  /** Takes waiting requests while the next write has room, then lets the loop write. */
  private void turn() {
    if (loop == null || mode == Mode.STOPPED) {
      return;
    }
    try {
      while (mode == Mode.SERVING && loop.hasRoom() && !inbox.isEmpty()) {
        accept(inbox.poll());
      }
      loop.flush();
    } catch (FencedException | CorruptStateException | StoreConfigurationException e) {
      fatal(e);
      return;
    } catch (RuntimeException e) {
      loop.recover(e);
    }
    if (loop != null && mode != Mode.STOPPED) {
      long due = sim.scheduler.now() + Math.max(1, loop.millisUntilDue());
      if (due < wakeAt || wakeAt <= sim.scheduler.now()) {
        wakeAt = due;
        int gen = generation;
        sim.scheduler.at(due, () -> runAsProcess(gen, this::turn));
      }
    }
  }

  private void startWrite(int gen, CommitLoop.Write w) {
    sim.scheduler.after(storeLatency(), () -> perform(gen, w));
  }

  /** The write reaches the store; a killed process's write in the air still does. */
  private void perform(int gen, CommitLoop.Write w) {
    if (gen == generation && paused()) {
      sim.scheduler.at(pausedUntil, () -> perform(gen, w));
      return;
    }
    w.perform();
    sim.scheduler.after(storeLatency(), () -> runAsProcess(gen, () -> writeEnded(w)));
  }

  private void writeEnded(CommitLoop.Write w) {
    if (loop == null) {
      return;
    }
    if (closeOnDelivery != null) {
      loop.close(closeOnDelivery);
      closeOnDelivery = null;
      return;
    }
    try {
      loop.writeEnded(w);
    } catch (FencedException | CorruptStateException | StoreConfigurationException e) {
      fatal(e);
      return;
    } catch (RuntimeException e) {
      loop.recover(e);
    }
    turn();
  }

  /** Stops the loop for good (fenced, corrupt object), as the production engine does. */
  private void fatal(RuntimeException e) {
    if (mode == Mode.STOPPED || loop == null) {
      return;
    }
    sim.history.note(sim.scheduler.now(), id + " stops: " + e.getMessage());
    mode = Mode.STOPPED;
    CommitLoop.Write w = loop.inFlight();
    if (w != null && !w.performed()) {
      closeOnDelivery = e; // its callers learn whether it landed when it comes back
    } else if (w != null) {
      loop.close(e);
    } else {
      loop.stop(e);
    }
    failInbox("not serving (fenced)");
    int gen = generation;
    sim.scheduler.after(
        1000 + random.nextLong(2000),
        () -> {
          if (gen == generation && mode == Mode.STOPPED && !paused()) {
            closeOnDelivery = null;
            start(); // a new process stands by
          } else if (gen == generation && mode == Mode.STOPPED) {
            sim.scheduler.at(
                pausedUntil,
                () -> {
                  if (gen == generation && mode == Mode.STOPPED) {
                    closeOnDelivery = null;
                    start();
                  }
                });
          }
        });
  }

  private void failInbox(String why) {
    while (!inbox.isEmpty()) {
      inbox.poll().reply().accept(new Reply(Op.Phase.FAIL, null, why));
    }
  }

  private long storeLatency() {
    if (sim.scheduler.now() < latencySpikeUntil) {
      return 200 + random.nextLong(2500);
    }
    return 1 + random.nextLong(15);
  }

  /**
   * Runs {@code action} as this process: not at all when the process it was meant for is gone,
   * later when the process is paused.
   */
  private void runAsProcess(int gen, Runnable action) {
    if (gen != generation || mode == Mode.DOWN) {
      return;
    }
    if (paused()) {
      sim.scheduler.at(pausedUntil, () -> runAsProcess(gen, action));
      return;
    }
    action.run();
  }

  private void event(long delay, Runnable action) {
    int gen = generation;
    sim.scheduler.after(delay, () -> runAsProcess(gen, action));
  }

  // ---------------------------------------------------------------- commands

  private void accept(Delivery d) {
    Request r = d.request();
    if (r instanceof Request.Push p) {
      PushRequest push =
          new PushRequest(
              p.payload(),
              null,
              p.priority(),
              null,
              p.delayMillis() > 0 ? Duration.ofMillis(p.delayMillis()) : null,
              null,
              p.key());
      PushResult[] applied = new PushResult[1];
      Command<PushResult> command =
          (s, m, now) -> {
            applied[0] = m.push(s, push, now);
            return applied[0];
          };
      if (sim.config.breakage() == Breakage.ACK_BEFORE_WRITE) {
        Stamped<PushResult> stamped = new Stamped<>(command);
        CompletableFuture<PushResult> f = loop.submit(stamped);
        if (applied[0] != null) { // broken on purpose: "done" before anything is durable
          d.reply()
              .accept(
                  new Reply(
                      Op.Phase.OK,
                      new Op.Pushed(applied[0].jobId(), applied[0].duplicate()),
                      null,
                      stamped.stamp));
        } else {
          reply(f, stamped, d, v -> new Op.Pushed(v.jobId(), v.duplicate()));
        }
        return;
      }
      answer(command, d, v -> new Op.Pushed(v.jobId(), v.duplicate()));
    } else if (r instanceof Request.Claim c) {
      ClaimRequest claim =
          new ClaimRequest(
              "w-" + id, Duration.ofMillis(c.leaseMillis()), c.limit(), java.util.Set.of());
      Command<List<Job>> command =
          sim.config.breakage() == Breakage.DOUBLE_LEASE
              ? (s, m, now) -> {
                List<Job> jobs = m.claim(s, claim, now);
                for (Job j : jobs) { // broken on purpose: claimable again, though leased
                  m.release(s, j.id(), j.lease().token(), now);
                }
                return jobs;
              }
              : (s, m, now) -> m.claim(s, claim, now);
      answer(
          command,
          d,
          jobs -> {
            List<Op.Claimed> out = new ArrayList<>();
            for (Job j : jobs) {
              out.add(
                  new Op.Claimed(
                      j.id(),
                      j.lease().token(),
                      j.lease().expiresAt(),
                      j.payloadJson(),
                      j.priority(),
                      j.runAt(),
                      j.attempts()));
            }
            return out;
          });
    } else if (r instanceof Request.Heartbeat h) {
      Command<Lease> command =
          (s, m, now) ->
              m.heartbeat(s, h.jobId(), h.token(), Duration.ofMillis(h.extendMillis()), now);
      answer(command, d, l -> new Op.Extended(l.expiresAt()));
    } else if (r instanceof Request.Complete c) {
      Command<Job> command = (s, m, now) -> m.complete(s, c.jobId(), c.token(), c.result(), now);
      answer(command, d, j -> new Op.Finished(j.finishedAt()));
    } else if (r instanceof Request.CompleteAll all) {
      completeAll(all, d);
    } else if (r instanceof Request.Fail f) {
      Command<dev.casq.core.internal.JobStatus> command =
          (s, m, now) -> m.fail(s, f.jobId(), f.token(), "simulated failure", f.retry(), now);
      answer(command, d, st -> st.name());
    } else if (r instanceof Request.Release rel) {
      Command<String> command =
          (s, m, now) -> {
            m.release(s, rel.jobId(), rel.token(), now);
            return "released";
          };
      answer(command, d, v -> v);
    } else if (r instanceof Request.Cancel c) {
      Command<Job> command = (s, m, now) -> m.cancel(s, c.jobId(), now);
      answer(command, d, j -> j.status().name());
    } else if (r instanceof Request.Stats) {
      answer(
          new Command<Long>() {
            @Override
            public Long apply(
                dev.casq.core.internal.QueueState s, QueueStateMachine m, Instant now) {
              return m.stats(s, now).revision();
            }

            @Override
            public boolean readOnly() {
              return true;
            }
          },
          d,
          rev -> new Op.Seen(rev));
    } else {
      d.reply().accept(new Reply(Op.Phase.FAIL, null, "unknown request " + r));
    }
  }

  /**
   * Applies every job of a batch completion now, one command each (so they land in the same write),
   * and answers once all have ended: each job completed or refused by the rules; any other failure
   * makes the whole answer unknown, as the broker fails the whole request.
   */
  private void completeAll(Request.CompleteAll all, Delivery d) {
    List<Stamped<Job>> stamped = new ArrayList<>();
    List<CompletableFuture<Job>> futures = new ArrayList<>();
    for (Request.Complete c : all.jobs()) {
      Stamped<Job> s =
          new Stamped<>((st, m, now) -> m.complete(st, c.jobId(), c.token(), c.result(), now));
      stamped.add(s);
      futures.add(loop.submit(s));
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, ignored) -> {
              List<Op.Completion> out = new ArrayList<>();
              for (int i = 0; i < futures.size(); i++) {
                try {
                  Job j = futures.get(i).join();
                  out.add(
                      new Op.Completion(
                          new Op.Finished(j.finishedAt()), null, stamped.get(i).stamp));
                } catch (CompletionException e) {
                  Throwable cause = unwrap(e);
                  if (!definite(cause)) {
                    d.reply()
                        .accept(
                            new Reply(
                                Op.Phase.UNKNOWN,
                                null,
                                cause.getClass().getSimpleName() + ": " + cause.getMessage()));
                    return;
                  }
                  out.add(
                      new Op.Completion(
                          null,
                          cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                          null));
                }
              }
              d.reply().accept(new Reply(Op.Phase.OK, new Op.Completions(out), null));
            });
  }

  private static boolean definite(Throwable cause) {
    return cause instanceof LeaseRejectedException
        || cause instanceof JobNotFoundException
        || cause instanceof InvalidRequestException;
  }

  /** Applies {@code command} now; its client is answered when the write carrying it ends. */
  private <T> void answer(
      Command<T> command, Delivery d, java.util.function.Function<T, Object> result) {
    Stamped<T> stamped = new Stamped<>(command);
    reply(loop.submit(stamped), stamped, d, result);
  }

  private <T> void reply(
      CompletableFuture<T> f,
      Stamped<T> stamped,
      Delivery d,
      java.util.function.Function<T, Object> result) {
    f.whenComplete(
        (v, error) -> {
          if (error == null) {
            d.reply().accept(new Reply(Op.Phase.OK, result.apply(v), null, stamped.stamp));
            return;
          }
          Throwable cause = unwrap(error);
          boolean definite =
              cause instanceof LeaseRejectedException
                  || cause instanceof JobNotFoundException
                  || cause instanceof InvalidRequestException;
          d.reply()
              .accept(
                  new Reply(
                      definite ? Op.Phase.FAIL : Op.Phase.UNKNOWN,
                      null,
                      cause.getClass().getSimpleName() + ": " + cause.getMessage()));
        });
  }

  private static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
