package dev.casq.core.internal;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import java.util.UUID;

class MemoryQueueGuaranteesTest extends QueueGuaranteesContract {
  @Override
  protected StoreLocation newLocation() {
    return new StoreLocation(new MemoryObjectStore(), "queues/" + UUID.randomUUID() + ".json");
  }
}
