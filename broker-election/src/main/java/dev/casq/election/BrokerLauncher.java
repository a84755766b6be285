package dev.casq.election;

import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Starts a broker inside this process: how a client takes a queue over by itself when its broker is
 * gone ("smart client"). The broker module provides the implementation through {@link
 * ServiceLoader} ({@code META-INF/services/dev.casq.election.BrokerLauncher}); when it is not on
 * the class path, {@link #find()} is empty and the client waits for a standby broker instead.
 */
public interface BrokerLauncher {

  /**
   * Claims the queue of {@code spec.storeUri()} and serves it over HTTP; returns once it serves.
   *
   * @throws BrokerActiveException when a live broker holds the queue (e.g. another client won the
   *     takeover first): use {@link BrokerActiveException#activeBroker()} instead
   * @throws dev.casq.api.CasqException when the store or the listen address cannot be used
   */
  LaunchedBroker launch(LaunchSpec spec);

  /** The launcher on the context class path, if any. */
  static Optional<BrokerLauncher> find() {
    return find(Thread.currentThread().getContextClassLoader());
  }

  /** The first launcher found through {@code loader}, if any. */
  static Optional<BrokerLauncher> find(ClassLoader loader) {
    return ServiceLoader.load(BrokerLauncher.class, loader).findFirst();
  }
}
