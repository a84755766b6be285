package dev.casq.client;

import dev.casq.election.BrokerLauncher;
import dev.casq.election.ElectionOptions;
import dev.casq.election.LaunchSpec;
import dev.casq.election.LaunchedBroker;
import java.time.Duration;
import java.util.Optional;

/** Starts a broker for the client's queue in this process through the {@link BrokerLauncher}. */
final class InProcessLauncher {
  private final ClientConfig config;
  private final BrokerLauncher launcher;

  private InProcessLauncher(ClientConfig config, BrokerLauncher launcher) {
    this.config = config;
    this.launcher = launcher;
  }

  /** The launcher on the class path, or null when queue-broker is not there. */
  static InProcessLauncher find(ClientConfig config) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = InProcessLauncher.class.getClassLoader();
    }
    Optional<BrokerLauncher> found = BrokerLauncher.find(loader);
    if (found.isEmpty()) {
      found = BrokerLauncher.find(InProcessLauncher.class.getClassLoader());
    }
    return found.map(l -> new InProcessLauncher(config, l)).orElse(null);
  }

  Optional<LaunchedBroker> launch() {
    LaunchSpec spec =
        LaunchSpec.builder(config.storeUri())
            .storeProperties(config.storeProperties())
            .queueName(config.queueName())
            .listenHost(config.inProcessHost())
            .port(0)
            .token(config.token())
            .election(election(config.staleAfter()))
            .build();
    return Optional.of(launcher.launch(spec));
  }

  /** Election timing matching the client's stale-after: heartbeats five times per period. */
  static ElectionOptions election(Duration staleAfter) {
    if (staleAfter.equals(ElectionOptions.DEFAULT_STALE_AFTER)) {
      return ElectionOptions.defaults();
    }
    Duration beat = staleAfter.dividedBy(5);
    if (beat.compareTo(ElectionOptions.DEFAULT_HEARTBEAT_INTERVAL) > 0) {
      beat = ElectionOptions.DEFAULT_HEARTBEAT_INTERVAL;
    }
    if (beat.compareTo(ElectionOptions.MIN_HEARTBEAT_INTERVAL) < 0) {
      beat = ElectionOptions.MIN_HEARTBEAT_INTERVAL;
    }
    return new ElectionOptions(beat, staleAfter);
  }
}
