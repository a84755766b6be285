package dev.casq.client;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerDiscovery;
import dev.casq.election.LaunchedBroker;
import java.util.Optional;

/**
 * Finds the broker in the queue object (through {@link BrokerDiscovery}) and starts one in this
 * process through the broker launcher service when one is on the class path.
 */
final class StoreBrokerLocator implements BrokerLocator {
  private final ClientConfig config;
  private final BrokerDiscovery discovery;
  private final InProcessLauncher launcher;

  private StoreBrokerLocator(ClientConfig config, BrokerDiscovery discovery) {
    this.config = config;
    this.discovery = discovery;
    this.launcher = InProcessLauncher.find(config);
  }

  /**
   * Opens the store of the client's URI.
   *
   * @throws dev.casq.storage.StoreConfigurationException if it cannot be opened
   */
  static StoreBrokerLocator open(ClientConfig config) {
    return new StoreBrokerLocator(
        config, BrokerDiscovery.open(config.storeUri(), config.storeProperties()));
  }

  @Override
  public Optional<BrokerRecord> recorded() {
    return discovery.current();
  }

  @Override
  public boolean canLaunch() {
    return launcher != null;
  }

  @Override
  public Optional<LaunchedBroker> launch() {
    // the successor declares the timing of the broker it replaces
    return launcher == null ? Optional.empty() : launcher.launch(recorded());
  }

  @Override
  public String describe() {
    return discovery.describe();
  }

  @Override
  public void close() {
    discovery.close();
  }
}
