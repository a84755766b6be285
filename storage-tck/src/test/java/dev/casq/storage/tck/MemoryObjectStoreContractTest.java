package dev.casq.storage.tck;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.Stores;

/** The contract kit against the mem:// store, opened by URI as a user would. */
class MemoryObjectStoreContractTest extends ObjectStoreContractTest {
  private static int instance;

  @Override
  protected ObjectStore openStore() {
    String name = "tck-" + (++instance);
    MemoryObjectStore.forget(name);
    return Stores.open("mem://" + name + "/queue.json").store();
  }
}
