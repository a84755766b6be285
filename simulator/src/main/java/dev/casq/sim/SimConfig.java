package dev.casq.sim;

/**
 * What one run is made of.
 *
 * @param seed everything random in the run comes from it
 * @param operations how many client operations to invoke before the quiet period
 * @param nodes broker processes
 * @param clients client processes
 * @param faults whether faults are injected (off: a run that must pass trivially)
 * @param breakage an engine broken on purpose, or {@link Breakage#NONE}
 */
public record SimConfig(
    long seed, int operations, int nodes, int clients, boolean faults, Breakage breakage) {

  /** The maximum clock offset of a node from simulated time, either way. */
  public static final long MAX_SKEW_MILLIS = 500;

  public SimConfig {
    if (operations < 1 || nodes < 1 || clients < 1) {
      throw new IllegalArgumentException("operations, nodes and clients must be positive");
    }
  }

  /** The standard run: 3 brokers, 4 clients, faults on, casq as it is. */
  public static SimConfig standard(long seed, int operations) {
    return new SimConfig(seed, operations, 3, 4, true, Breakage.NONE);
  }

  public SimConfig with(Breakage b) {
    return new SimConfig(seed, operations, nodes, clients, faults, b);
  }
}
