package dev.casq.client;

/**
 * What a client configured with a store URI does when the recorded broker does not answer and its
 * heartbeat in the queue object is stale (or no broker was ever recorded).
 */
public enum TakeoverPolicy {
  /**
   * Start a broker in this process on a free loopback-reachable port through the {@code
   * BrokerLauncher} service (present when queue-broker is on the class path) and use it. Without a
   * launcher on the class path this behaves as {@link #WAIT}. The default with a store URI.
   */
  IN_PROCESS,
  /**
   * Keep re-reading the queue object until a standby or another client has taken over, then follow
   * the new broker. Gives up when the call's retry deadline passes.
   */
  WAIT,
  /**
   * Never re-discover on a connection failure: retry the same broker until the deadline, then fail.
   * Redirects from a fenced broker (421) are still followed.
   */
  NONE
}
