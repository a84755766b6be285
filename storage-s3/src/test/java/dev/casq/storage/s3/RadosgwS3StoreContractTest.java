package dev.casq.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import dev.casq.storage.tck.ObjectStoreContractTest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage contract against a real Ceph radosgw (start one with {@code scripts/rgw-start.sh}).
 *
 * <p>Environment: {@code CASQ_TEST_S3_ENDPOINT} (e.g. {@code http://127.0.0.1:7480}); optional
 * {@code CASQ_TEST_S3_ACCESS_KEY} / {@code CASQ_TEST_S3_SECRET_KEY} (default access / secret).
 * Without the endpoint the class is skipped, unless {@code CASQ_TEST_REQUIRE_S3=true} (CI), in
 * which case it fails.
 */
@DisplayName("s3:// store on Ceph radosgw: storage contract")
class RadosgwS3StoreContractTest extends ObjectStoreContractTest {
  private static final Logger LOG = LoggerFactory.getLogger(RadosgwS3StoreContractTest.class);
  static final String BUCKET = "casq-tck";
  static final String SKIP_REASON =
      "radosgw not running: run scripts/rgw-start.sh and set CASQ_TEST_S3_ENDPOINT";

  private static URI endpoint;
  private static String accessKey;
  private static String secretKey;

  @BeforeAll
  static void findRadosgw() {
    String e = System.getenv("CASQ_TEST_S3_ENDPOINT");
    if (e == null || e.isBlank()) {
      if ("true".equalsIgnoreCase(System.getenv("CASQ_TEST_REQUIRE_S3"))) {
        fail("CASQ_TEST_REQUIRE_S3=true but CASQ_TEST_S3_ENDPOINT is not set: " + SKIP_REASON);
      }
      LOG.warn("SKIPPED {}: {}", RadosgwS3StoreContractTest.class.getSimpleName(), SKIP_REASON);
      endpoint = null;
      return;
    }
    endpoint = URI.create(e.trim());
    accessKey = envOr("CASQ_TEST_S3_ACCESS_KEY", "access");
    secretKey = envOr("CASQ_TEST_S3_SECRET_KEY", "secret");
    TestBuckets.ensure(endpoint, accessKey, secretKey, BUCKET);
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  static Map<String, String> properties() {
    Map<String, String> p = new HashMap<>();
    p.put("s3.endpoint", endpoint.toString());
    p.put("s3.access-key", accessKey);
    p.put("s3.secret-key", secretKey);
    return p;
  }

  @Override
  protected ObjectStore openStore() {
    // every test opens the store first: skipping here reports each test as skipped, with the reason
    Assumptions.assumeTrue(endpoint != null, SKIP_REASON);
    // through the scheme registry, as users open it
    return Stores.open("s3://" + BUCKET + "/queues/tck.json", properties()).store();
  }

  /** Many rounds: a race that is right only most of the time must show up here. */
  @Override
  protected int racingRounds() {
    return 100;
  }

  @Test
  @DisplayName("opening a missing bucket is a configuration error naming bucket and endpoint")
  void missingBucket() {
    assertThatThrownBy(() -> Stores.open("s3://casq-no-such-bucket/q.json", properties()))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("casq-no-such-bucket")
        .hasMessageContaining(endpoint.toString());
  }

  @Test
  @DisplayName("wrong keys are a configuration error at open, and on writes when not checked")
  void wrongCredentials() {
    Map<String, String> p = properties();
    p.put("s3.secret-key", "not-the-secret");
    assertThatThrownBy(() -> Stores.open("s3://" + BUCKET + "/q.json", p))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("denied");
    p.put("s3.verify-bucket", "false");
    try (StoreLocation loc = Stores.open("s3://" + BUCKET + "/q.json", p)) {
      assertThatThrownBy(() -> loc.store().create(key("denied.json"), utf8("x")))
          .isInstanceOf(StoreConfigurationException.class)
          .hasMessageContaining("s3.access-key");
    }
    assertThat(store().read(key("denied.json"))).isEmpty();
  }
}
