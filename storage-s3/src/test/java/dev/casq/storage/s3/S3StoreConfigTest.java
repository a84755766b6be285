package dev.casq.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreProperties;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class S3StoreConfigTest {
  private static final S3StoreConfig.RegionLookup NO_SDK_REGION = endpointSet -> Optional.empty();

  private static S3StoreConfig config(Map<String, String> props) {
    return config(props, Map.of());
  }

  private static S3StoreConfig config(Map<String, String> props, Map<String, String> env) {
    return S3StoreConfig.from(new StoreProperties(props, env::get), NO_SDK_REGION);
  }

  @Test
  @DisplayName(
      "defaults for AWS S3: SDK region, virtual-hosted, default credentials, full checksums")
  void awsDefaults() {
    S3StoreConfig c =
        S3StoreConfig.from(new StoreProperties(Map.of(), k -> null), e -> Optional.of("eu-west-1"));
    assertThat(c.region()).isEqualTo("eu-west-1");
    assertThat(c.endpoint()).isEmpty();
    assertThat(c.pathStyle()).isFalse();
    assertThat(c.credentials()).isEmpty();
    assertThat(c.apiCallTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.apiCallAttemptTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.maxRetries()).isEqualTo(3);
    assertThat(c.etagQuoting()).isEqualTo(EtagQuoting.AUTO);
    assertThat(c.checksums()).isEqualTo(ChecksumMode.WHEN_SUPPORTED);
    assertThat(c.minWriteInterval()).isEqualTo(Duration.ZERO);
    assertThat(c.maxConnections()).isEqualTo(64);
    assertThat(c.verifyBucket()).isTrue();
    assertThat(c.endpointDescription()).isEqualTo("AWS S3 eu-west-1");
  }

  @Test
  @DisplayName("an endpoint implies path style, when-required checksums and us-east-1 if no region")
  void endpointDefaults() {
    S3StoreConfig c = config(Map.of("s3.endpoint", "http://127.0.0.1:7480/"));
    assertThat(c.endpoint()).contains(URI.create("http://127.0.0.1:7480"));
    assertThat(c.pathStyle()).isTrue();
    assertThat(c.region()).isEqualTo("us-east-1");
    assertThat(c.checksums()).isEqualTo(ChecksumMode.WHEN_REQUIRED);
    assertThat(c.endpointDescription()).isEqualTo("http://127.0.0.1:7480");
  }

  @Test
  @DisplayName("with an endpoint the region lookup is told so (no instance metadata)")
  void regionLookupKnowsAboutEndpoint() {
    AtomicReference<Boolean> asked = new AtomicReference<>();
    S3StoreConfig c =
        S3StoreConfig.from(
            new StoreProperties(Map.of("s3.endpoint", "https://minio.example:9000"), k -> null),
            endpointSet -> {
              asked.set(endpointSet);
              return Optional.of("eu-central-1");
            });
    assertThat(asked.get()).isTrue();
    assertThat(c.region()).isEqualTo("eu-central-1");
  }

  @Test
  @DisplayName("properties win over the environment, which wins over defaults")
  void propertiesThenEnvironment() {
    Map<String, String> env =
        Map.of(
            "CASQ_S3_ENDPOINT", "http://from-env:9000",
            "CASQ_S3_REGION", "env-region",
            "CASQ_S3_MAX_RETRIES", "5",
            "CASQ_S3_ACCESS_KEY", "env-access",
            "CASQ_S3_SECRET_KEY", "env-secret");
    S3StoreConfig c = config(Map.of("s3.region", "prop-region"), env);
    assertThat(c.region()).isEqualTo("prop-region");
    assertThat(c.endpoint()).contains(URI.create("http://from-env:9000"));
    assertThat(c.maxRetries()).isEqualTo(5);
    assertThat(c.credentials())
        .hasValueSatisfying(
            k -> {
              assertThat(k.accessKey()).isEqualTo("env-access");
              assertThat(k.secretKey()).isEqualTo("env-secret");
            });
  }

  @Test
  @DisplayName("every key is read")
  void everyKey() {
    Map<String, String> p = new HashMap<>();
    p.put("s3.endpoint", "https://acct.r2.cloudflarestorage.com");
    p.put("s3.region", "auto");
    p.put("s3.path-style", "false");
    p.put("s3.access-key", "AK");
    p.put("s3.secret-key", "SK");
    p.put("s3.session-token", "TOKEN");
    p.put("s3.api-call-timeout", "1m");
    p.put("s3.api-call-attempt-timeout", "20s");
    p.put("s3.max-retries", "0");
    p.put("s3.etag-quoting", "quoted");
    p.put("s3.checksums", "when-supported");
    p.put("s3.min-write-interval", "1s");
    p.put("s3.max-connections", "8");
    p.put("s3.verify-bucket", "false");
    S3StoreConfig c = config(p);
    assertThat(c.region()).isEqualTo("auto");
    assertThat(c.pathStyle()).isFalse();
    assertThat(c.credentials().orElseThrow().sessionToken()).contains("TOKEN");
    assertThat(c.apiCallTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.apiCallAttemptTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.maxRetries()).isZero();
    assertThat(c.etagQuoting()).isEqualTo(EtagQuoting.QUOTED);
    assertThat(c.checksums()).isEqualTo(ChecksumMode.WHEN_SUPPORTED);
    assertThat(c.minWriteInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.maxConnections()).isEqualTo(8);
    assertThat(c.verifyBucket()).isFalse();
    assertThat(c.toString()).contains("AK").doesNotContain("SK").doesNotContain("TOKEN");
  }

  @Test
  @DisplayName("no region anywhere and no endpoint: a clear error")
  void noRegion() {
    assertThatThrownBy(() -> config(Map.of()))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("s3.region")
        .hasMessageContaining("CASQ_S3_REGION")
        .hasMessageContaining("AWS_REGION");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "s3.endpoint|127.0.0.1:7480|absolute http:// or https:// URL",
        "s3.endpoint|ftp://host|absolute http:// or https:// URL",
        "s3.endpoint|http://host:9000/bucket|without a path",
        "s3.endpoint|http://user:pw@host|without user info",
        "s3.endpoint|http://host/?x=1|without user info, query or fragment",
        "s3.region|Eu West 1|a region name",
        "s3.path-style|maybe|true or false",
        "s3.api-call-timeout|soon|a duration",
        "s3.api-call-timeout|0s|a positive duration",
        "s3.api-call-attempt-timeout|-5s|not negative",
        "s3.max-retries|-1|a whole number from 0 to 20",
        "s3.max-retries|100|a whole number from 0 to 20",
        "s3.etag-quoting|smart|auto, quoted or unquoted",
        "s3.checksums|always|when-required or when-supported",
        "s3.min-write-interval|1 second|a duration",
        "s3.max-connections|0|a whole number from 1",
        "s3.verify-bucket|sometimes|true or false",
      })
  void invalidValuesAreRejected(String key, String value, String expected) {
    Map<String, String> p = new HashMap<>();
    p.put("s3.region", "us-east-1");
    p.put(key, value);
    assertThatThrownBy(() -> config(p))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining(key)
        .hasMessageContaining(StoreProperties.environmentName(key))
        .hasMessageContaining(expected);
  }

  @Test
  @DisplayName("an access key without a secret key (or the reverse) is rejected")
  void halfACredential() {
    assertThatThrownBy(() -> config(Map.of("s3.region", "us-east-1", "s3.access-key", "a")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("s3.secret-key");
    assertThatThrownBy(() -> config(Map.of("s3.region", "us-east-1", "s3.secret-key", "s")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("s3.access-key");
    assertThatThrownBy(() -> config(Map.of("s3.region", "us-east-1", "s3.session-token", "t")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("s3.session-token");
  }

  @Test
  @DisplayName("an attempt timeout longer than the call timeout is rejected")
  void attemptLongerThanCall() {
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "s3.region",
                        "us-east-1",
                        "s3.api-call-timeout",
                        "5s",
                        "s3.api-call-attempt-timeout",
                        "10s")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("must not exceed");
  }

  @Test
  @DisplayName("ETags are normalised and quoted as configured")
  void etagForms() {
    assertThat(EtagQuoting.normalise("\"abc\"")).isEqualTo("abc");
    assertThat(EtagQuoting.normalise("W/\"abc\"")).isEqualTo("abc");
    assertThat(EtagQuoting.normalise(" abc-3 ")).isEqualTo("abc-3");
    assertThat(EtagQuoting.normalise("\"\"")).isNull();
    assertThat(EtagQuoting.normalise(null)).isNull();
    assertThat(EtagQuoting.AUTO.ifMatchValue("abc")).isEqualTo("abc");
    assertThat(EtagQuoting.UNQUOTED.ifMatchValue("abc")).isEqualTo("abc");
    assertThat(EtagQuoting.QUOTED.ifMatchValue("abc")).isEqualTo("\"abc\"");
  }
}
