package dev.casq.client;

import dev.casq.election.BrokerActiveException;
import dev.casq.election.BrokerLauncher;
import dev.casq.election.ElectionOptions;
import dev.casq.election.LaunchSpec;
import dev.casq.election.LaunchedBroker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts a broker for the client's queue in this process through the {@link BrokerLauncher}. One
 * JVM starts at most one broker per queue at a time: when several clients of the process find the
 * broker gone together, the first starts one and the others follow it (as they would follow a
 * broker started elsewhere) instead of racing it.
 */
final class InProcessLauncher {
  private static final ConcurrentHashMap<String, Object> LOCKS = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<String, LaunchedBroker> RUNNING =
      new ConcurrentHashMap<>();

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

  /**
   * Starts a broker, or throws {@link BrokerActiveException} naming the one another client of this
   * process started for the same queue and that still serves.
   */
  Optional<LaunchedBroker> launch(Optional<dev.casq.core.internal.BrokerRecord> previous) {
    String key = config.storeUri() + "#" + config.queueName();
    synchronized (LOCKS.computeIfAbsent(key, k -> new Object())) {
      LaunchedBroker running = RUNNING.get(key);
      if (running != null && running.isServing()) {
        throw new BrokerActiveException(running.record());
      }
      LaunchedBroker started = start(previous);
      LaunchedBroker registered = new Registered(key, started);
      RUNNING.put(key, registered);
      return Optional.of(registered);
    }
  }

  /** Forgets the broker when its owner closes it. */
  private static final class Registered implements LaunchedBroker {
    private final String key;
    private final LaunchedBroker broker;

    Registered(String key, LaunchedBroker broker) {
      this.key = key;
      this.broker = broker;
    }

    @Override
    public String address() {
      return broker.address();
    }

    @Override
    public String queueName() {
      return broker.queueName();
    }

    @Override
    public dev.casq.core.internal.BrokerRecord record() {
      return broker.record();
    }

    @Override
    public boolean isServing() {
      return broker.isServing();
    }

    @Override
    public void close() {
      RUNNING.remove(key, this);
      broker.close();
    }
  }

  private LaunchedBroker start(Optional<dev.casq.core.internal.BrokerRecord> previous) {
    LaunchSpec spec =
        LaunchSpec.builder(config.storeUri())
            .storeProperties(config.storeProperties())
            .queueName(config.queueName())
            .listenHost(config.inProcessHost())
            .port(0)
            .token(config.token())
            .election(election(previous, config.staleAfter()))
            .shutdownTimeout(config.inProcessShutdownTimeout())
            .build();
    return launcher.launch(spec);
  }

  /**
   * The timing the broker this one replaces declared in its record, so that the queue keeps being
   * judged the same way after a takeover; the client's own stale-after when the record declared
   * none (or a timing this broker cannot use).
   */
  static ElectionOptions election(
      Optional<dev.casq.core.internal.BrokerRecord> previous, Duration fallbackStaleAfter) {
    if (previous.isPresent()
        && previous.get().heartbeatInterval() != null
        && previous.get().staleAfter() != null) {
      try {
        return new ElectionOptions(previous.get().heartbeatInterval(), previous.get().staleAfter());
      } catch (IllegalArgumentException e) {
        // declared by another version or bounded differently: fall back to the client's setting
      }
    }
    return election(fallbackStaleAfter);
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
