package dev.casq.storage.gcs;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.Stores;
import dev.casq.storage.gcs.testserver.GcsTestServer;
import dev.casq.storage.tck.ObjectStoreContractTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The storage contract on {@code gs://}, through the provider and the official client, against the
 * loopback GCS JSON API test server (atomic generation preconditions).
 */
@DisplayName("gs:// contract against the loopback GCS JSON API test server")
class GcsStoreContractTest extends ObjectStoreContractTest {
  private static final String BUCKET = "casq-tck";
  private static GcsTestServer server;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Override
  protected ObjectStore openStore() {
    return Stores.open(
            "gs://" + BUCKET + "/queues/unused.json",
            Map.of(GcsStoreConfig.HOST, server.baseUrl(), GcsStoreConfig.NO_AUTH, "true"))
        .store();
  }
}
