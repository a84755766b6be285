package dev.casq.storage.gcs;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.Stores;
import dev.casq.storage.tck.ObjectStoreContractTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The storage contract on {@code gs://} against fake-gcs-server in a container, configured as a
 * user configures an emulator ({@code gcs.host} + {@code gcs.no-auth}). Runs wherever Docker runs;
 * without Docker the whole class is skipped and the reason is shown.
 */
@Testcontainers(disabledWithoutDocker = true)
@DisplayName(
    "gs:// contract against fake-gcs-server (needs Docker: skipped when Docker is unavailable)")
class FakeGcsServerContractTest extends ObjectStoreContractTest {
  private static final String BUCKET = "casq-tck";
  private static final int PORT = 4443;

  @Container
  @SuppressWarnings("resource")
  private static final GenericContainer<?> FAKE_GCS =
      new GenericContainer<>(DockerImageName.parse("fsouza/fake-gcs-server:1.52.2"))
          .withCommand("-scheme", "http", "-port", Integer.toString(PORT), "-backend", "memory")
          .withExposedPorts(PORT)
          .waitingFor(Wait.forHttp("/storage/v1/b").forPort(PORT).forStatusCode(200));

  private static String host() {
    return "http://" + FAKE_GCS.getHost() + ":" + FAKE_GCS.getMappedPort(PORT);
  }

  @BeforeAll
  static void createBucket() throws Exception {
    Storage admin =
        StorageOptions.http()
            .setHost(host())
            .setProjectId("casq-test")
            .setCredentials(NoCredentials.getInstance())
            .build()
            .getService();
    try {
      if (admin.get(BUCKET) == null) {
        admin.create(BucketInfo.of(BUCKET));
      }
    } finally {
      admin.close();
    }
  }

  @Override
  protected int largeObjectBytes() {
    return 4 * 1024 * 1024;
  }

  @Override
  protected ObjectStore openStore() {
    return Stores.open(
            "gs://" + BUCKET + "/queues/unused.json",
            Map.of(GcsStoreConfig.HOST, host(), GcsStoreConfig.NO_AUTH, "true"))
        .store();
  }
}
