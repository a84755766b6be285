package dev.casq.sim;

import java.util.List;
import java.util.Map;

/**
 * What one run produced.
 *
 * @param config the run
 * @param violations what the checker found (empty when the run is correct)
 * @param operations client operations invoked, by kind
 * @param faults faults injected, by kind
 * @param history the whole history as text (equal for equal seeds)
 * @param tail the last lines of the history, to print with a failure
 * @param simulatedMillis how much simulated time the run took
 * @param events how many scheduled events ran
 */
public record SimResult(
    SimConfig config,
    List<String> violations,
    Map<String, Long> operations,
    Map<String, Long> faults,
    String history,
    String tail,
    long simulatedMillis,
    long events) {

  public boolean ok() {
    return violations.isEmpty();
  }

  /** A report of a failing run: the seed to replay it with, what was wrong, the history's tail. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append("seed ")
        .append(config.seed())
        .append(" (")
        .append(config.breakage())
        .append(", ")
        .append(config.operations())
        .append(" operations): ")
        .append(violations.size())
        .append(" violation(s)\n");
    for (String v : violations.subList(0, Math.min(10, violations.size()))) {
      b.append("  ").append(v).append('\n');
    }
    b.append(
            "replay: mvn -pl simulator -am test -Dtest=SimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dcasq.sim.seed=")
        .append(config.seed())
        .append("   or   casq simulate --seed ")
        .append(config.seed())
        .append(" --ops ")
        .append(config.operations())
        .append('\n');
    b.append("history tail:\n").append(tail);
    return b.toString();
  }
}
