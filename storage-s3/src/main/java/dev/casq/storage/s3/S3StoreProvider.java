package dev.casq.storage.s3;

import dev.casq.storage.ObjectStoreProvider;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.StoreProperties;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * {@code s3://bucket/path/to/queue.json}: the object {@code path/to/queue.json} in an S3 bucket.
 * Configured by {@code s3.*} properties or {@code CASQ_S3_*} environment variables (see {@link
 * S3StoreConfig} and docs/storage-s3.md).
 */
public final class S3StoreProvider implements ObjectStoreProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("s3");
  }

  @Override
  public StoreLocation open(URI uri, Map<String, String> properties) {
    S3ObjectUri target = S3ObjectUri.parse(uri);
    S3StoreConfig config = S3StoreConfig.from(StoreProperties.of(properties));
    return new StoreLocation(S3ObjectStore.open(target.bucket(), config), target.key());
  }
}
