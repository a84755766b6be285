package dev.casq.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the simulator over a fixed set of seeds (CI), or as many as asked: {@code
 * -Dcasq.sim.seeds=1000}; {@code -Dcasq.sim.seed=N} replays one seed; {@code -Dcasq.sim.ops=M} sets
 * the operations per run.
 */
class SimulationTest {

  @Test
  void seedsPassTheChecker() {
    Campaign.Summary summary = Campaign.run(seeds(), operations(), Breakage.NONE);
    System.out.println(summary.report());
    List<String> failures = new ArrayList<>();
    for (SimResult r : summary.failures()) {
      failures.add(r.describe());
    }
    assertThat(failures).as("failing seeds").isEmpty();
  }

  @Test
  void aSeedReplaysByteForByte() {
    SimConfig config = SimConfig.standard(20_261_125L, 300);
    SimResult first = Simulation.run(config);
    SimResult second = Simulation.run(config);
    assertThat(first.history()).isNotEmpty();
    assertThat(second.history()).isEqualTo(first.history());
    assertThat(second.faults()).isEqualTo(first.faults());
    assertThat(second.violations()).isEqualTo(first.violations());
  }

  @Test
  void withoutFaultsEveryOperationSucceedsOrIsRefusedByTheRules() {
    SimConfig config = new SimConfig(42, 300, 3, 4, false, Breakage.NONE);
    SimResult r = Simulation.run(config);
    assertThat(r.violations()).isEmpty();
    assertThat(r.faults()).isEmpty();
    assertThat(r.history()).doesNotContain(" unknown ");
  }

  static List<Long> seeds() {
    String one = System.getProperty("casq.sim.seed", "");
    if (!one.isBlank()) {
      return List.of(Long.parseLong(one.trim()));
    }
    int n = Integer.parseInt(System.getProperty("casq.sim.seeds", "300").trim());
    List<Long> seeds = new ArrayList<>();
    for (long s = 1; s <= n; s++) {
      seeds.add(s);
    }
    return seeds;
  }

  static int operations() {
    return Integer.parseInt(System.getProperty("casq.sim.ops", "400").trim());
  }
}
