package dev.casq.it.chaos;

import dev.casq.it.Radosgw;
import dev.casq.storage.StoreProperties;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

/**
 * The chaos tests on {@code s3://} against a real S3 server (Ceph radosgw, see {@link Radosgw}): a
 * fresh key per queue in a bucket of their own. Skipped with the reason when radosgw is not
 * configured, failed instead under {@code CASQ_TEST_REQUIRE_S3=true}.
 */
@DisplayName("chaos with real processes on s3:// (radosgw)")
class S3ChaosTest extends AbstractChaosTest {
  private static final String BUCKET = "casq-chaos";
  private final String run = UUID.randomUUID().toString();

  @BeforeEach
  void bucket() {
    Radosgw.ensureBucket(BUCKET);
  }

  @Override
  protected String queueUri(String name) {
    return "s3://" + BUCKET + "/chaos/" + run + "/" + name + ".json";
  }

  @Override
  protected Map<String, String> storeProperties() {
    return Radosgw.storeProperties();
  }

  @Override
  protected Map<String, String> childEnvironment() {
    Map<String, String> env = new HashMap<>();
    Radosgw.storeProperties().forEach((k, v) -> env.put(StoreProperties.environmentName(k), v));
    return env;
  }

  @Override
  protected String backend() {
    return "s3";
  }

  @Override
  protected Duration sampleEvery() {
    return Duration.ofMillis(50);
  }
}
