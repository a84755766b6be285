package dev.casq.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Many seeds, one after another, summed up: what the tests and {@code casq simulate} run. */
public final class Campaign {
  private Campaign() {}

  /**
   * What a campaign found.
   *
   * @param seeds how many seeds ran
   * @param operations client operations by kind, over all seeds
   * @param faults faults injected by kind, over all seeds
   * @param failures the runs with violations
   * @param violations the number of violations over all seeds
   * @param wallMillis real time taken (reported only; nothing in a run depends on it)
   */
  public record Summary(
      int seeds,
      Map<String, Long> operations,
      Map<String, Long> faults,
      List<SimResult> failures,
      long violations,
      long wallMillis,
      long simulatedMillis) {

    public String report() {
      long ops = operations.values().stream().mapToLong(Long::longValue).sum();
      long injected = faults.values().stream().mapToLong(Long::longValue).sum();
      StringBuilder b = new StringBuilder();
      b.append("seeds run: ").append(seeds).append('\n');
      b.append("operations: ").append(ops).append(' ').append(operations).append('\n');
      b.append("faults injected: ").append(injected).append(' ').append(faults).append('\n');
      b.append("simulated time: ")
          .append(simulatedMillis / 1000)
          .append(" s; wall time: ")
          .append(wallMillis)
          .append(" ms (")
          .append(seeds == 0 ? 0 : wallMillis / seeds)
          .append(" ms per seed)\n");
      b.append("violations: ").append(violations);
      if (!failures.isEmpty()) {
        b.append(" in seeds");
        for (SimResult r : failures) {
          b.append(' ').append(r.config().seed());
        }
      }
      return b.toString();
    }
  }

  /** Runs each seed with {@code operations} client operations on the given engine. */
  public static Summary run(List<Long> seeds, int operations, Breakage breakage) {
    Tally ops = new Tally();
    Tally faults = new Tally();
    List<SimResult> failures = new ArrayList<>();
    long violations = 0;
    long simulated = 0;
    long start = System.currentTimeMillis(); // for the report only; no run reads it
    for (long seed : seeds) {
      SimResult r = Simulation.run(SimConfig.standard(seed, operations).with(breakage));
      r.operations().forEach(ops::add);
      r.faults().forEach(faults::add);
      simulated += r.simulatedMillis();
      if (!r.ok()) {
        failures.add(r);
        violations += r.violations().size();
      }
    }
    return new Summary(
        seeds.size(),
        ops.asMap(),
        faults.asMap(),
        failures,
        violations,
        System.currentTimeMillis() - start,
        simulated);
  }
}
