package dev.casq.core.internal;

import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The guarantees on file:// with fsync on, as in production. */
class FileQueueGuaranteesTest extends QueueGuaranteesContract {
  @TempDir Path dir;

  @Override
  protected StoreLocation newLocation() {
    return Stores.open(dir.toUri() + "queue.json");
  }
}
