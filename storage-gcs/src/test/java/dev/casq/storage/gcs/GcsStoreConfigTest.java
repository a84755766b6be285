package dev.casq.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.StoreConfigurationException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GcsStoreConfigTest {
  private static final Map<String, String> NO_ENV = Map.of();

  private static GcsStoreConfig config(Map<String, String> props, Map<String, String> env) {
    return GcsStoreConfig.from(props, env::get);
  }

  @Test
  void defaultsTalkToGoogleWithApplicationDefaultCredentials() {
    GcsStoreConfig c = config(Map.of(), NO_ENV);
    assertThat(c.host()).isEqualTo("https://storage.googleapis.com");
    assertThat(c.isDefaultHost()).isTrue();
    assertThat(c.noAuth()).isFalse();
    assertThat(c.credentialsFile()).isEmpty();
    assertThat(c.project()).isEmpty();
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.minWriteInterval()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void everyKeyIsReadFromPropertiesBeforeEnvironment() {
    Map<String, String> props =
        Map.of(
            "gcs.project", "p1",
            "gcs.credentials-file", "/keys/sa.json",
            "gcs.host", "https://private.example.com:8443/",
            "gcs.connect-timeout", "2s",
            "gcs.read-timeout", "1500ms",
            "gcs.min-write-interval", "0s");
    Map<String, String> env =
        Map.of(
            "CASQ_GCS_PROJECT", "p2",
            "CASQ_GCS_HOST", "http://ignored:1",
            "CASQ_GCS_READ_TIMEOUT", "9s");
    GcsStoreConfig c = config(props, env);
    assertThat(c.project()).hasValue("p1");
    assertThat(c.credentialsFile()).hasValue(Path.of("/keys/sa.json"));
    assertThat(c.host()).isEqualTo("https://private.example.com:8443");
    assertThat(c.hostSource()).isEqualTo("gcs.host");
    assertThat(c.noAuth()).isFalse();
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.minWriteInterval()).isZero();
  }

  @Test
  void environmentVariablesAreUsedWhenNoPropertyIsGiven() {
    GcsStoreConfig c =
        config(
            Map.of(),
            Map.of(
                "CASQ_GCS_HOST", "http://127.0.0.1:4443",
                "CASQ_GCS_NO_AUTH", "true",
                "CASQ_GCS_MIN_WRITE_INTERVAL", "250ms"));
    assertThat(c.host()).isEqualTo("http://127.0.0.1:4443");
    assertThat(c.noAuth()).isTrue();
    assertThat(c.project()).hasValue(GcsStoreConfig.EMULATOR_PROJECT);
    assertThat(c.minWriteInterval()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void storageEmulatorHostMeansThatHostWithoutCredentials() {
    GcsStoreConfig bare = config(Map.of(), Map.of("STORAGE_EMULATOR_HOST", "localhost:9023"));
    assertThat(bare.host()).isEqualTo("http://localhost:9023");
    assertThat(bare.hostSource()).isEqualTo("STORAGE_EMULATOR_HOST");
    assertThat(bare.noAuth()).isTrue();
    assertThat(bare.project()).hasValue("casq-local");

    GcsStoreConfig url =
        config(Map.of("gcs.project", "mine"), Map.of("STORAGE_EMULATOR_HOST", "https://emu:1"));
    assertThat(url.host()).isEqualTo("https://emu:1");
    assertThat(url.project()).hasValue("mine");

    GcsStoreConfig withAuth =
        config(Map.of("gcs.no-auth", "false"), Map.of("STORAGE_EMULATOR_HOST", "localhost:9023"));
    assertThat(withAuth.noAuth()).isFalse();
  }

  @Test
  void explicitHostWinsOverStorageEmulatorHostAndKeepsAuth() {
    GcsStoreConfig c =
        config(
            Map.of("gcs.host", "https://proxy.internal"),
            Map.of("STORAGE_EMULATOR_HOST", "localhost:9023"));
    assertThat(c.host()).isEqualTo("https://proxy.internal");
    assertThat(c.noAuth()).isFalse();
  }

  @Test
  void noAuthWithAKeyFileIsAContradiction() {
    assertThatThrownBy(
            () -> config(Map.of("gcs.no-auth", "true", "gcs.credentials-file", "/k.json"), NO_ENV))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("gcs.credentials-file")
        .hasMessageContaining("gcs.no-auth");
    assertThatThrownBy(
            () ->
                config(
                    Map.of("gcs.credentials-file", "/k.json"),
                    Map.of("STORAGE_EMULATOR_HOST", "localhost:1")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("implied by STORAGE_EMULATOR_HOST");
  }

  @Test
  void invalidValuesNameTheirKey() {
    assertThatThrownBy(() -> config(Map.of("gcs.host", "127.0.0.1:4443"), NO_ENV))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("gcs.host")
        .hasMessageContaining("CASQ_GCS_HOST");
    assertThatThrownBy(() -> config(Map.of("gcs.host", "ftp://x"), NO_ENV))
        .hasMessageContaining("http or https");
    assertThatThrownBy(() -> config(Map.of("gcs.host", "http://x/storage/v1"), NO_ENV))
        .hasMessageContaining("only scheme, host and port");
    assertThatThrownBy(() -> config(Map.of(), Map.of("STORAGE_EMULATOR_HOST", "ftp://x")))
        .hasMessageContaining("STORAGE_EMULATOR_HOST");
    assertThatThrownBy(() -> config(Map.of("gcs.no-auth", "maybe"), NO_ENV))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("gcs.no-auth");
    assertThatThrownBy(() -> config(Map.of("gcs.read-timeout", "soon"), NO_ENV))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("gcs.read-timeout");
    assertThatThrownBy(() -> config(Map.of("gcs.connect-timeout", "0s"), NO_ENV))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("gcs.connect-timeout");
    assertThatThrownBy(() -> config(Map.of("gcs.min-write-interval", "-1s"), NO_ENV))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("gcs.min-write-interval");
  }

  @Test
  void blankValuesCountAsUnset() {
    GcsStoreConfig c = config(Map.of("gcs.project", " "), Map.of("CASQ_GCS_HOST", ""));
    assertThat(c.project()).isEqualTo(Optional.empty());
    assertThat(c.isDefaultHost()).isTrue();
  }
}
