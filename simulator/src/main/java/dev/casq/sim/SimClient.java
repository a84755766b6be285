package dev.casq.sim;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.StateCodec;
import dev.casq.election.TakeoverDecision;
import dev.casq.election.TakeoverRule;
import dev.casq.storage.VersionedBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One client process: one operation at a time (so its pushes are sequential, and FIFO among them
 * can be checked). It finds the broker in the queue object, follows the takeover rule's verdict (it
 * sends only to a broker the rule calls alive, and looks again when it is not), and after an
 * ambiguous failure retries a push with the same idempotency key; a push without a key is not
 * retried (it could make a second job).
 */
final class SimClient {
  private static final long TIMEOUT_MILLIS = 4000;
  private static final int PUSH_RETRIES = 12;

  private final Simulation sim;
  final String name;
  private final SplittableRandom random;
  private final SimClock clock;
  private final List<Op.Claimed> held = new ArrayList<>();
  private final List<String> pushed = new ArrayList<>(); // acked job ids, for cancels
  private SimBroker broker; // where requests go, until it fails us
  private int pushes;
  private boolean draining;
  private boolean stopped;

  SimClient(Simulation sim, String name, SplittableRandom random) {
    this.sim = sim;
    this.name = name;
    this.random = random;
    this.clock = new SimClock(sim.scheduler, 0);
  }

  void start() {
    sim.scheduler.after(random.nextLong(50), this::next);
  }

  /** From now on: claim and complete everything, so that the queue drains. */
  void drain() {
    draining = true;
  }

  void stop() {
    stopped = true;
  }

  private void next() {
    if (stopped) {
      return;
    }
    if (draining) {
      drainStep();
      return;
    }
    if (!sim.takeOperation()) {
      sim.scheduler.after(200, this::next); // wait for the drain
      return;
    }
    Request r = choose();
    send(
        r,
        reply -> {
          if (r instanceof Request.Push p && p.key() != null && reply.phase() == Op.Phase.UNKNOWN) {
            retryPush(p, 1);
          } else {
            thenNext();
          }
        });
  }

  private void retryPush(Request.Push p, int attempt) {
    if (attempt > PUSH_RETRIES) {
      thenNext();
      return;
    }
    sim.scheduler.after(
        100 + random.nextLong(400),
        () ->
            send(
                p,
                reply -> {
                  if (reply.phase() == Op.Phase.UNKNOWN || reply.phase() == Op.Phase.FAIL) {
                    retryPush(
                        p, attempt + 1); // same key: at most one job, whatever happened before
                  } else {
                    thenNext();
                  }
                }));
  }

  private void thenNext() {
    sim.scheduler.after(random.nextLong(100), this::next);
  }

  private void drainStep() {
    if (held.size() > 1) {
      List<Request.Complete> all = new ArrayList<>();
      for (Op.Claimed c : held) {
        all.add(new Request.Complete(c.jobId(), c.token(), null));
      }
      held.clear();
      send(new Request.CompleteAll(all), reply -> thenNext());
      return;
    }
    if (!held.isEmpty()) {
      Op.Claimed c = held.remove(0);
      send(
          new Request.Complete(c.jobId(), c.token(), "{\"done\":\"" + name + "\"}"),
          reply -> thenNext());
      return;
    }
    send(
        new Request.Claim(10, 5000),
        reply -> {
          if (reply.phase() == Op.Phase.OK
              && reply.result() instanceof List<?> jobs
              && jobs.isEmpty()) {
            sim.scheduler.after(300, this::next);
          } else {
            thenNext();
          }
        });
  }

  private Request choose() {
    dropExpiredLeases();
    while (true) {
      int pick = random.nextInt(100);
      if (pick < 35) {
        pushes++;
        String tag = name + "-" + pushes;
        String key = random.nextInt(10) < 6 ? "key-" + tag : null;
        int[] priorities = {0, 0, 0, 5, -3};
        long delay = random.nextInt(100) < 15 ? 200 + random.nextLong(2500) : 0;
        return new Request.Push(
            Payloads.next(tag, random), key, priorities[random.nextInt(priorities.length)], delay);
      } else if (pick < 60) {
        return new Request.Claim(1 + random.nextInt(3), 1500 + random.nextLong(3500));
      } else if (pick < 68 && !held.isEmpty()) {
        Op.Claimed c = held.get(random.nextInt(held.size()));
        return new Request.Heartbeat(c.jobId(), c.token(), 1500 + random.nextLong(3500));
      } else if (pick < 83 && !held.isEmpty() && random.nextBoolean()) {
        return completeAll();
      } else if (pick < 83 && !held.isEmpty()) {
        Op.Claimed c = held.remove(random.nextInt(held.size()));
        return new Request.Complete(
            c.jobId(),
            c.token(),
            random.nextBoolean() ? null : "{\"by\":\"" + name + "\",\"n\":1.50}");
      } else if (pick < 88 && !held.isEmpty()) {
        Op.Claimed c = held.remove(random.nextInt(held.size()));
        return new Request.Fail(c.jobId(), c.token(), random.nextInt(4) > 0);
      } else if (pick < 91 && !held.isEmpty()) {
        Op.Claimed c = held.remove(random.nextInt(held.size()));
        return new Request.Release(c.jobId(), c.token());
      } else if (pick < 95 && !pushed.isEmpty()) {
        return new Request.Cancel(pushed.get(random.nextInt(pushed.size())));
      } else if (pick >= 95) {
        return new Request.Stats();
      }
    }
  }

  /**
   * A batch completion of some held jobs (some with a result), sometimes with a job this client
   * does not hold (a bogus token: refused on its own, the others complete).
   */
  private Request completeAll() {
    List<Request.Complete> jobs = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    int n = 1 + random.nextInt(held.size());
    for (int i = 0; i < n; i++) {
      Op.Claimed c = held.remove(random.nextInt(held.size()));
      ids.add(c.jobId());
      jobs.add(
          new Request.Complete(
              c.jobId(), c.token(), random.nextBoolean() ? null : "{\"batch\":\"" + name + "\"}"));
    }
    if (!pushed.isEmpty() && random.nextInt(3) == 0) {
      String other = pushed.get(random.nextInt(pushed.size()));
      if (ids.add(other)) {
        jobs.add(random.nextInt(jobs.size() + 1), new Request.Complete(other, "bogus-token", null));
      }
    }
    return new Request.CompleteAll(jobs);
  }

  private void dropExpiredLeases() {
    held.removeIf(c -> !c.expiresAt().isAfter(clock.instant()));
  }

  // ---------------------------------------------------------------- one operation

  /** Sends {@code r} to the broker (finding it first), records it, and calls back once. */
  private void send(Request r, Consumer<SimBroker.Reply> then) {
    if (stopped) {
      return;
    }
    if (broker == null) {
      discover(() -> send(r, then));
      return;
    }
    long id = sim.nextOpId();
    sim.record(new Op(sim.scheduler.now(), name, id, Op.Phase.INVOKE, r, null, null, null));
    SimBroker target = broker;
    boolean[] answered = {false};
    Consumer<SimBroker.Reply> onReply =
        reply ->
            sim.scheduler.after(
                sim.networkDelay(),
                () -> {
                  if (answered[0]) {
                    return; // came after the client gave up on it
                  }
                  answered[0] = true;
                  finish(r, id, reply, then);
                });
    sim.scheduler.after(
        sim.networkDelay(), () -> target.receive(new SimBroker.Delivery(r, onReply)));
    sim.scheduler.after(
        TIMEOUT_MILLIS,
        () -> {
          if (!answered[0]) {
            answered[0] = true;
            broker = null; // look for the broker again
            finish(r, id, new SimBroker.Reply(Op.Phase.UNKNOWN, null, "timed out", null), then);
          }
        });
  }

  private void finish(Request r, long id, SimBroker.Reply reply, Consumer<SimBroker.Reply> then) {
    sim.record(
        new Op(
            sim.scheduler.now(),
            name,
            id,
            reply.phase(),
            r,
            reply.result(),
            reply.error(),
            reply.stamp()));
    if (reply.phase() == Op.Phase.OK) {
      if (r instanceof Request.Claim) {
        for (Object o : (List<?>) reply.result()) {
          held.add((Op.Claimed) o);
        }
      } else if (r instanceof Request.Push && reply.result() instanceof Op.Pushed p) {
        pushed.add(p.jobId());
      }
    } else if (reply.error() != null && reply.error().startsWith("not serving")) {
      broker = null;
    } else if (reply.phase() == Op.Phase.UNKNOWN) {
      broker = null;
    }
    then.accept(reply);
  }

  /** Reads the queue object and follows the takeover rule's verdict on its broker. */
  private void discover(Runnable then) {
    long id = sim.nextOpId();
    Request.Read read = new Request.Read();
    sim.record(new Op(sim.scheduler.now(), name, id, Op.Phase.INVOKE, read, null, null, null));
    Optional<VersionedBytes> object;
    try {
      object = sim.store.read(Simulation.KEY);
    } catch (RuntimeException e) {
      sim.record(
          new Op(sim.scheduler.now(), name, id, Op.Phase.FAIL, read, null, e.getMessage(), null));
      sim.scheduler.after(100, () -> discover(then));
      return;
    }
    BrokerRecord recorded = null;
    long revision = -1;
    if (object.isPresent()) {
      var state = StateCodec.decode(object.get().data());
      recorded = state.broker();
      revision = state.revision();
    }
    sim.record(
        new Op(
            sim.scheduler.now(), name, id, Op.Phase.OK, read, new Op.Seen(revision), null, null));
    if (recorded != null) {
      TakeoverDecision d =
          TakeoverRule.decide(
              recorded, sim.probe(recorded), clock.instant(), sim.election.staleAfter());
      if (d.verdict() == TakeoverDecision.Verdict.ALIVE) {
        broker = sim.node(recorded.id());
        then.run();
        return;
      }
    }
    sim.scheduler.after(200 + random.nextLong(300), () -> discover(then));
  }
}
