package dev.casq.core.internal;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether a queue's commit engine can serve requests now, and why not.
 *
 * @param state what the engine is doing
 * @param reason why it is not serving (null while serving or starting)
 * @param since when it entered this state
 */
public record EngineHealth(State state, String reason, Instant since) {

  /** The states of an engine. Only {@link #SERVING} answers requests normally. */
  public enum State {
    /** Reading or creating the queue object. */
    STARTING,
    /** Taking requests and committing them. */
    SERVING,
    /**
     * The last attempt to write or read failed in a way that may pass (storage unreachable, an
     * unexpected error); the engine backs off and tries again. Requests wait or fail on their own.
     */
    RETRYING,
    /** Another broker took the queue over; this engine never writes again. */
    FENCED,
    /** Stopped for good: a corrupt or foreign object, an internal error, or closed. */
    STOPPED;

    /** The name used on the wire (health endpoint, metrics): lower case. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Creates a health report.
   *
   * @param state what the engine is doing
   * @param reason why it is not serving, or null
   * @param since when it entered the state
   */
  public EngineHealth {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(since, "since");
  }

  /** True when requests are taken and committed. */
  public boolean serving() {
    return state == State.SERVING;
  }
}
