package dev.casq.broker;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerLauncher;
import dev.casq.election.LaunchSpec;
import dev.casq.election.LaunchedBroker;

/**
 * Starts a {@link CasqBroker} in this process for one queue: what a client uses to take a queue
 * over by itself (found through {@link java.util.ServiceLoader}).
 */
public final class CasqBrokerLauncher implements BrokerLauncher {

  @Override
  public LaunchedBroker launch(LaunchSpec spec) {
    CasqBroker.Builder b =
        CasqBroker.builder()
            .queue(spec.queueName(), spec.storeUri(), spec.storeProperties())
            .listen(spec.listenHost(), spec.port())
            .advertisedAddress(spec.advertisedAddress())
            .token(spec.token())
            .heartbeatInterval(spec.election().heartbeatInterval())
            .staleAfter(spec.election().staleAfter());
    if (spec.queueOptions() != null) {
      b.queueOptions(spec.queueOptions());
    }
    if (spec.shutdownTimeout() != null) {
      b.shutdownTimeout(spec.shutdownTimeout());
    }
    CasqBroker broker = b.build().start();
    return new Launched(broker, spec.queueName());
  }

  private record Launched(CasqBroker broker, String queueName) implements LaunchedBroker {
    @Override
    public String address() {
      return broker.address();
    }

    @Override
    public BrokerRecord record() {
      return broker.broker(queueName).orElseThrow();
    }

    @Override
    public boolean isServing() {
      return broker.isServing(queueName);
    }

    @Override
    public void close() {
      broker.close();
    }
  }
}
