package dev.casq.client;

import dev.casq.core.BrokerRecord;
import dev.casq.election.BrokerLauncher;
import dev.casq.election.LaunchSpec;
import dev.casq.election.LaunchedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test-scope {@link BrokerLauncher} that starts a {@link StubBroker} (registered through
 * META-INF/services in test resources), so in-process takeover can be tested in this module.
 */
public final class StubBrokerLauncher implements BrokerLauncher {
  static final List<StubBroker> LAUNCHED = new CopyOnWriteArrayList<>();

  @Override
  public LaunchedBroker launch(LaunchSpec spec) {
    StubBroker b;
    try {
      b = StubBroker.start(spec.storeUri(), spec.queueName(), spec.token(), spec.election(), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LAUNCHED.add(b);
    return new LaunchedBroker() {
      private volatile boolean closed;

      @Override
      public String address() {
        return b.address();
      }

      @Override
      public String queueName() {
        return spec.queueName();
      }

      @Override
      public BrokerRecord record() {
        return b.record();
      }

      @Override
      public boolean isServing() {
        return !closed;
      }

      @Override
      public void close() {
        closed = true;
        b.close();
      }
    };
  }
}
