package dev.casq.sim;

import dev.casq.core.EngineOptions;

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

  /**
   * How the queue is laid out on the store, by seed: one run in three keeps everything in the queue
   * object, one moves every lease into leased-jobs objects (a budget of 1 byte), one also parks all
   * but 4 ready jobs in segments. So every run of many seeds crosses the boundaries between the
   * head and the objects it names, with several brokers racing on them.
   */
  public Layout layout() {
    return Layout.values()[(int) Math.floorMod(seed, (long) Layout.values().length)];
  }

  /** Where the queue's jobs live besides the queue object. */
  public enum Layout {
    /** Everything in the queue object. */
    HEAD_ONLY,
    /** Leased jobs in leased-jobs objects. */
    LEASES_OUT,
    /** Leased jobs in leased-jobs objects and the ready backlog in segments. */
    LEASES_AND_SEGMENTS_OUT;

    EngineOptions apply(EngineOptions o) {
      return switch (this) {
        case HEAD_ONLY -> o.withHeadMaxBytes(0);
        case LEASES_OUT -> o.withHeadMaxBytes(1);
        case LEASES_AND_SEGMENTS_OUT -> o.withHeadMaxBytes(1).withHeadMaxReadyJobs(4);
      };
    }
  }

  public SimConfig with(Breakage b) {
    return new SimConfig(seed, operations, nodes, clients, faults, b);
  }
}
