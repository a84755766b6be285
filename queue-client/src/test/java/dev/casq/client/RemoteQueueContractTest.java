package dev.casq.client;

import dev.casq.api.Queue;
import dev.casq.api.QueueContract;
import dev.casq.broker.CasqBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue contract against a queue served by a real broker on loopback (file:// store), reached
 * through the client: the same tests as the embedded queue's.
 */
class RemoteQueueContractTest extends QueueContract {
  @TempDir Path dir;
  private final List<CasqBroker> brokers = new ArrayList<>();

  @Override
  protected <T> Queue<T> open(Class<T> type) {
    String store = Brokers.store(dir, "contract-" + UUID.randomUUID());
    brokers.add(Brokers.start(store));
    return CasqClient.builder()
        .storeUri(store)
        .storeProperties(Brokers.props())
        .takeover(TakeoverPolicy.NONE)
        .build()
        .queue(type);
  }

  @AfterEach
  void stopBrokers() {
    brokers.forEach(CasqBroker::close);
  }
}
