package dev.casq.storage.s3;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.Stores;
import dev.casq.storage.tck.ObjectStoreContractTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The storage contract against LocalStack's S3 in a container. Runs wherever Docker runs; where it
 * does not, the class is skipped ("disabledWithoutDocker") and says so.
 */
@DisplayName("s3:// store on LocalStack (Testcontainers): storage contract")
@ExtendWith(RequiresDocker.class)
@Testcontainers(disabledWithoutDocker = true)
class LocalStackS3StoreContractTest extends ObjectStoreContractTest {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStackS3StoreContractTest.class);
  private static final String BUCKET = "casq-tck";

  @Container
  static final LocalStackContainer LOCALSTACK =
      new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.4"))
          .withServices(LocalStackContainer.Service.S3);

  @BeforeAll
  static void createBucket() {
    TestBuckets.ensure(
        LOCALSTACK.getEndpoint(), LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey(), BUCKET);
    LOG.info("LocalStack S3 at {}", LOCALSTACK.getEndpoint());
  }

  @Override
  protected ObjectStore openStore() {
    return Stores.open(
            "s3://" + BUCKET + "/queues/tck.json",
            Map.of(
                "s3.endpoint", LOCALSTACK.getEndpoint().toString(),
                "s3.region", LOCALSTACK.getRegion(),
                "s3.access-key", LOCALSTACK.getAccessKey(),
                "s3.secret-key", LOCALSTACK.getSecretKey()))
        .store();
  }
}
