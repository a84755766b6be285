package dev.casq.storage.gcs;

import dev.casq.storage.ObjectStoreProvider;
import dev.casq.storage.StoreLocation;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Opens {@code gs://bucket/path/to/queue.json}: a {@link GcsObjectStore} on the bucket, with the
 * key {@code path/to/queue.json}. Properties are the {@code gcs.*} keys of {@link GcsStoreConfig}.
 */
public final class GcsStoreProvider implements ObjectStoreProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("gs");
  }

  @Override
  public StoreLocation open(URI uri, Map<String, String> properties) {
    GcsUri location = GcsUri.parse(uri);
    GcsStoreConfig config = GcsStoreConfig.from(properties);
    return new StoreLocation(GcsObjectStore.open(location.bucket(), config), location.key());
  }
}
