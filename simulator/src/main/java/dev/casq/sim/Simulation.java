package dev.casq.sim;

import dev.casq.core.QueuePolicy;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.election.ElectionOptions;
import dev.casq.election.ProbeResult;
import dev.casq.storage.VersionedBytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One seeded run: broker processes and clients on one simulated store, clock and scheduler, with
 * faults while clients work, then a quiet period (no faults, every broker process up) in which the
 * clients drain the queue; then the {@link Checker} judges the history against the final object and
 * its archives. Single-threaded and deterministic: the same config gives the same history, byte for
 * byte.
 */
public final class Simulation {
  static final String KEY = "sim/queue.json";
  static final long QUIET_MILLIS = 40_000;
  static final long MAX_MILLIS = 30 * 60_000;
  private static final SimStore.Rates BASE_FAULTS =
      new SimStore.Rates(0.01, 0.01, 0.01, 0.01, 0.03);
  private static final SimStore.Rates STORM_FAULTS =
      new SimStore.Rates(0.10, 0.08, 0.08, 0.08, 0.20);

  final SimConfig config;
  final Scheduler scheduler;
  final SimStore store;
  final History history = new History();
  final QueuePolicy policy =
      new QueuePolicy(
          Duration.ofSeconds(5),
          Duration.ofHours(1),
          4,
          Duration.ofMillis(100),
          Duration.ofSeconds(2),
          Duration.ofHours(1),
          QueuePolicy.DEFAULT_IDEMPOTENCY_MEMORY_BUDGET,
          64 * 1024);
  final ElectionOptions election =
      new ElectionOptions(Duration.ofSeconds(1), Duration.ofSeconds(4));
  private final SplittableRandom random;
  private final SplittableRandom network;
  private final Tally operations = new Tally();
  private final Tally faults = new Tally();
  private final Map<String, SimBroker> nodes = new LinkedHashMap<>();
  private final List<SimClient> clients = new ArrayList<>();
  private long opIds;
  private int invoked;
  private boolean quiet;

  private Simulation(SimConfig config) {
    this.config = config;
    SplittableRandom root = new SplittableRandom(config.seed());
    this.scheduler = new Scheduler(root.split());
    this.store = new SimStore(scheduler, root.split(), faults);
    this.random = root.split();
    this.network = root.split();
    for (int i = 1; i <= config.nodes(); i++) {
      String id = "b" + i;
      nodes.put(id, new SimBroker(this, id, root.split(), skew()));
    }
    for (int i = 1; i <= config.clients(); i++) {
      clients.add(new SimClient(this, "c" + i, root.split()));
    }
  }

  /** Runs one simulation and checks it. */
  public static SimResult run(SimConfig config) {
    return new Simulation(config).run();
  }

  private SimResult run() {
    int i = 0;
    for (SimBroker n : nodes.values()) {
      scheduler.at(10L * i++, n::start);
    }
    for (SimClient c : clients) {
      scheduler.at(500, c::start);
    }
    if (config.faults()) {
      store.rates(BASE_FAULTS);
      scheduler.at(1000, this::chaos);
    }
    long end = -1;
    while (scheduler.now() < MAX_MILLIS) {
      scheduler.runUntil(scheduler.now() + 1000);
      if (quiet && end < 0) {
        end = scheduler.now() + QUIET_MILLIS;
        scheduler.at(scheduler.now() + 1000, () -> clients.forEach(SimClient::drain));
        scheduler.at(end - 10_000, () -> clients.forEach(SimClient::stop));
      }
      if (end >= 0 && scheduler.now() >= end) {
        break;
      }
    }
    List<String> violations = new ArrayList<>();
    if (end < 0 || scheduler.now() < end) {
      violations.add(
          "the run did not reach its quiet period within "
              + MAX_MILLIS
              + "ms ("
              + invoked
              + " of "
              + config.operations()
              + " operations invoked)");
    }
    Optional<VersionedBytes> object = store.peek(KEY);
    QueueState finalState = object.map(v -> StateCodec.decode(v.data())).orElse(null);
    List<Job> archived = new ArrayList<>();
    for (String k : store.list(KEY + ".archive/")) {
      archived.addAll(StateCodec.decodeArchive(store.peek(k).orElseThrow().data()));
    }
    violations.addAll(new Checker(history.ops(), finalState, archived).check());
    return new SimResult(
        config,
        List.copyOf(violations),
        operations.asMap(),
        faults.asMap(),
        history.render(),
        history.tail(40),
        scheduler.now(),
        scheduler.eventsRun());
  }

  // ---------------------------------------------------------------- faults

  private void chaos() {
    if (quiet) {
      return;
    }
    List<SimBroker> all = new ArrayList<>(nodes.values());
    SimBroker n = all.get(random.nextInt(all.size()));
    int pick = random.nextInt(100);
    long now = scheduler.now();
    if (pick < 10 && n.mode() != SimBroker.Mode.DOWN) {
      faults.add("kill");
      n.kill();
      scheduler.after(
          1000 + random.nextLong(4000),
          () -> {
            if (n.mode() == SimBroker.Mode.DOWN) {
              n.start();
            }
          });
    } else if (pick < 20) {
      faults.add("pause");
      n.pause(500 + random.nextLong(7500));
    } else if (pick < 32) {
      faults.add("clock-jump");
      long offset = skew();
      history.note(
          now, n.id + " clock offset " + n.clock.offsetMillis() + "ms -> " + offset + "ms");
      n.clock.jumpTo(offset);
    } else if (pick < 44) {
      faults.add("latency-spike");
      history.note(now, n.id + " storage latency spike");
      n.latencySpike(1000 + random.nextLong(3000));
    } else if (pick < 54) {
      faults.add("storage-storm");
      history.note(now, "storage fault storm");
      store.rates(STORM_FAULTS);
      scheduler.after(
          1000 + random.nextLong(2000),
          () -> store.rates(quiet ? SimStore.Rates.NONE : BASE_FAULTS));
    } else if (pick < 60) {
      // the serving broker freezes past staleness and every standby claims at the same moment;
      // the frozen one wakes with its write still pipelined: several writers at once
      SimBroker serving = servingNode();
      if (serving != null) {
        faults.add("precondition-storm");
        long stale = election.staleAfter().toMillis();
        serving.pause(stale + 1500 + random.nextLong(1500));
        for (SimBroker other : nodes.values()) {
          if (other != serving) {
            scheduler.at(now + stale + 600, other::nudge);
          }
        }
      }
    }
    scheduler.after(300 + random.nextLong(1200), this::chaos);
  }

  private void quietPeriod() {
    quiet = true;
    store.rates(SimStore.Rates.NONE);
    history.note(scheduler.now(), "quiet period: no more faults; the clients drain the queue");
    for (SimBroker n : nodes.values()) {
      if (n.mode() == SimBroker.Mode.DOWN) {
        n.start();
      }
    }
  }

  private SimBroker servingNode() {
    for (SimBroker n : nodes.values()) {
      if (n.mode() == SimBroker.Mode.SERVING && !n.paused()) {
        return n;
      }
    }
    return null;
  }

  private long skew() {
    return random.nextLong(-SimConfig.MAX_SKEW_MILLIS, SimConfig.MAX_SKEW_MILLIS + 1);
  }

  // ---------------------------------------------------------------- for nodes and clients

  /** What the recorded broker's address answers to a health probe now. */
  ProbeResult probe(BrokerRecord recorded) {
    SimBroker n = nodes.get(recorded.id());
    return n == null ? ProbeResult.refused("unknown host") : n.probe(recorded);
  }

  SimBroker node(String id) {
    return nodes.get(id);
  }

  long nextOpId() {
    return ++opIds;
  }

  long networkDelay() {
    return network.nextInt(50) == 0 ? 300 + network.nextLong(1500) : 1 + network.nextLong(10);
  }

  /** Takes one operation from the run's budget; false once it is spent. */
  boolean takeOperation() {
    if (invoked >= config.operations()) {
      return false;
    }
    if (++invoked == config.operations()) {
      scheduler.after(0, this::quietPeriod);
    }
    return true;
  }

  void record(Op op) {
    if (op.phase() == Op.Phase.INVOKE) {
      operations.add(op.request().kind());
    }
    history.add(op);
  }
}
