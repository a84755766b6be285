package dev.casq.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.Stores;
import dev.casq.storage.tck.ObjectStoreContractTest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/** The contract kit against file:// with fsync on (the default), opened by URI. */
class LocalFileStoreContractTest extends ObjectStoreContractTest {
  @TempDir static Path dir;

  @Override
  protected ObjectStore openStore() {
    ObjectStore store = Stores.open(dir.toUri() + "queue.json", Map.of()).store();
    assertThat(store.capabilities().durable()).isTrue();
    return store;
  }

  @AfterAll
  static void noJvmWideLockLeaks() {
    assertThat(ObjectLock.mutexesInUse()).isZero();
  }
}
