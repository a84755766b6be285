package dev.casq.core;

import dev.casq.api.Queue;
import dev.casq.api.QueueContract;
import java.util.UUID;

/** The queue contract against the embedded queue, on a fresh mem:// object per test. */
class EmbeddedQueueContractTest extends QueueContract {
  @Override
  protected <T> Queue<T> open(Class<T> type) {
    return Casq.open("mem://contract-" + UUID.randomUUID() + "/queue.json", type);
  }
}
