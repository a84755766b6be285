package dev.casq.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * The real S3 server of the integration tests: Ceph radosgw started by {@code scripts/rgw-start.sh}
 * and named by {@code CASQ_TEST_S3_ENDPOINT}. Without it, tests are skipped with that reason,
 * unless {@code CASQ_TEST_REQUIRE_S3=true} (CI), where they fail.
 */
public final class Radosgw {
  public static final String SKIP_REASON =
      "radosgw not running: run scripts/rgw-start.sh and set CASQ_TEST_S3_ENDPOINT";

  private Radosgw() {}

  /** The endpoint, or skips (or fails in CI) when there is none. */
  public static URI endpoint() {
    String e = System.getenv("CASQ_TEST_S3_ENDPOINT");
    if (e == null || e.isBlank()) {
      if ("true".equalsIgnoreCase(System.getenv("CASQ_TEST_REQUIRE_S3"))) {
        fail("CASQ_TEST_REQUIRE_S3=true but CASQ_TEST_S3_ENDPOINT is not set: " + SKIP_REASON);
      }
      Assumptions.abort(SKIP_REASON);
    }
    return URI.create(e.trim());
  }

  public static String accessKey() {
    return env("CASQ_TEST_S3_ACCESS_KEY", "access");
  }

  public static String secretKey() {
    return env("CASQ_TEST_S3_SECRET_KEY", "secret");
  }

  /** Store properties for s3:// URIs on this server. */
  public static Map<String, String> storeProperties() {
    return Map.of(
        "s3.endpoint", endpoint().toString(),
        "s3.access-key", accessKey(),
        "s3.secret-key", secretKey());
  }

  /** Creates the bucket if it does not exist. */
  public static void ensureBucket(String bucket) {
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(endpoint())
            .region(Region.US_EAST_1)
            .forcePathStyle(true)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(accessKey(), secretKey())))
            .build()) {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (BucketAlreadyOwnedByYouException e) {
      // fine
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() != 409) {
        throw e;
      }
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
