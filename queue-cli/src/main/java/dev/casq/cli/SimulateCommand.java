package dev.casq.cli;

import dev.casq.sim.Breakage;
import dev.casq.sim.Campaign;
import dev.casq.sim.SimConfig;
import dev.casq.sim.SimResult;
import dev.casq.sim.Simulation;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code casq simulate}: the deterministic simulator, for as many seeds as asked. */
@Command(
    name = "simulate",
    header = "Search for bugs with the deterministic simulator.",
    description =
        "Runs seeded simulations: three brokers and four clients on a simulated store, clock and"
            + " scheduler, with kills, pauses, clock jumps, latency spikes and storage faults,"
            + " then a quiet period in which the queue drains; a checker judges each history."
            + " Nothing touches real storage or the network. A failing seed is printed with the"
            + " tail of its history and replays exactly with --seed. Exit code 1 when any seed"
            + " finds a violation.")
final class SimulateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();

  @Option(names = "--seeds", defaultValue = "100", description = "Run seeds 1..N (default 100).")
  int seeds;

  @Option(names = "--seed", description = "Run this one seed only (to replay a failure).")
  Long seed;

  @Option(
      names = "--ops",
      defaultValue = "400",
      description = "Client operations per seed before the quiet period (default 400).")
  int ops;

  @Option(names = "--history", description = "With --seed: print the whole history.")
  boolean history;

  @Option(
      names = "--broken",
      defaultValue = "NONE",
      description =
          "Run an engine broken on purpose, to see the checker catch it:"
              + " ${COMPLETION-CANDIDATES} (default NONE).")
  Breakage broken;

  @Override
  public Integer call() {
    // injected faults make the engine warn on every retry: the summary says what happened
    System.setProperty("org.slf4j.simpleLogger.log.dev.casq", "off");
    PrintWriter out = spec.commandLine().getOut();
    if (seeds < 1 || ops < 1) {
      throw new CliException("--seeds and --ops must be positive");
    }
    List<Long> list = new ArrayList<>();
    if (seed != null) {
      list.add(seed);
    } else {
      for (long s = 1; s <= seeds; s++) {
        list.add(s);
      }
    }
    if (history && seed != null) {
      SimResult r = Simulation.run(SimConfig.standard(seed, ops).with(broken));
      out.println(r.history());
    }
    Campaign.Summary summary = Campaign.run(list, ops, broken);
    out.println(summary.report());
    for (SimResult r : summary.failures().subList(0, Math.min(5, summary.failures().size()))) {
      out.println();
      out.println(r.describe());
    }
    out.flush();
    return summary.violations() == 0 ? 0 : 1;
  }
}
