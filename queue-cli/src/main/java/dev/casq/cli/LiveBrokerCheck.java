package dev.casq.cli;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerDiscovery;
import dev.casq.election.ElectionOptions;
import dev.casq.election.TakeoverRule;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Reads a queue's broker record to tell whether a broker may answer, without asking one. */
final class LiveBrokerCheck {
  private LiveBrokerCheck() {}

  /**
   * Why no broker can answer for the queue object at {@code uri} (none recorded, it resigned, or
   * its heartbeat is stale), or null when the recorded one may be alive.
   *
   * @param staleAfter the heartbeat age after which a broker that declares none counts as dead, or
   *     null for the default
   */
  static String whyNone(String uri, Map<String, String> storeProperties, Duration staleAfter) {
    try (BrokerDiscovery d = BrokerDiscovery.open(uri, storeProperties)) {
      Optional<BrokerRecord> r = d.current();
      if (r.isEmpty()) {
        return "no broker recorded";
      }
      if (TakeoverRule.isResigned(r.get())) {
        return "the recorded broker resigned";
      }
      if (BrokerDiscovery.isStale(
          r.get(),
          Instant.now(),
          staleAfter != null ? staleAfter : ElectionOptions.DEFAULT_STALE_AFTER)) {
        return "the recorded broker's heartbeat is stale";
      }
      return null;
    }
  }
}
