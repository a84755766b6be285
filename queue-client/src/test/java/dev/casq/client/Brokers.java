package dev.casq.client;

import dev.casq.broker.CasqBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Real brokers (queue-broker) on loopback for the client tests. */
final class Brokers {
  /** Heartbeat every 50ms, stale after 400ms: failover within a second. */
  static final Duration HEARTBEAT = Duration.ofMillis(50);

  static final Duration STALE_AFTER = Duration.ofMillis(400);

  private Brokers() {}

  /** A file:// object in {@code dir} (fsync off: the tests are about the protocol, not disks). */
  static String store(Path dir, String name) {
    return dir.resolve(name + ".json").toUri().toString();
  }

  static Map<String, String> props() {
    return Map.of("file.fsync", "false");
  }

  static CasqBroker.Builder builder(String store) {
    return CasqBroker.builder()
        .queue(store)
        .storeProperties(props())
        .listen("127.0.0.1", 0)
        .heartbeatInterval(HEARTBEAT)
        .staleAfter(STALE_AFTER)
        .probeTimeout(Duration.ofMillis(300));
  }

  static CasqBroker start(String store) {
    return builder(store).build().start();
  }

  /** A broker whose close() is like a crash for the record: no resignation. */
  static CasqBroker startCrashable(String store) {
    return builder(store).resignOnClose(false).build().start();
  }
}
