package dev.casq.it;

import dev.casq.core.internal.QueueGuaranteesContract;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;

/** The embedded queue's guarantees on s3:// against a real S3 server (Ceph radosgw). */
@DisplayName("embedded queue guarantees on s3:// (radosgw)")
class S3QueueGuaranteesTest extends QueueGuaranteesContract {
  private static final String BUCKET = "casq-guarantees";

  @Override
  protected StoreLocation newLocation() {
    Radosgw.ensureBucket(BUCKET);
    return Stores.open(
        "s3://" + BUCKET + "/queues/" + UUID.randomUUID() + ".json", Radosgw.storeProperties());
  }

  @Override
  protected int faultTestPushes() {
    return 2_000; // each commit is an HTTP round trip
  }

  @Override
  protected int faultTestThreads() {
    return 32;
  }
}
