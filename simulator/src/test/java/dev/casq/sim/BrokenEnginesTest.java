package dev.casq.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The checker is trusted only because it catches engines broken on purpose: each must be caught
 * within the first {@value #SEEDS} seeds (the seed that catches it is printed, and listed in
 * docs/reliability.md).
 */
class BrokenEnginesTest {
  private static final int SEEDS = 20;

  @ParameterizedTest
  @EnumSource(
      value = Breakage.class,
      names = {"ACK_BEFORE_WRITE", "GUESS_LOST", "DOUBLE_LEASE"})
  void theCheckerCatchesIt(Breakage breakage) {
    java.util.List<Long> catching = new java.util.ArrayList<>();
    SimResult first = null;
    for (long seed = 1; seed <= SEEDS; seed++) {
      SimResult r = Simulation.run(SimConfig.standard(seed, 400).with(breakage));
      if (!r.ok()) {
        catching.add(seed);
        first = first == null ? r : first;
      }
    }
    assertThat(catching).as(breakage + " caught within " + SEEDS + " seeds").isNotEmpty();
    System.out.println(
        breakage
            + " caught by "
            + catching.size()
            + " of "
            + SEEDS
            + " seeds "
            + catching
            + "; first, seed "
            + first.config().seed()
            + ": "
            + first.violations().get(0));
  }
}
