package dev.casq.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoresTest {

  @Test
  void opensMemoryStoreByScheme() {
    StoreLocation a = Stores.open("mem://stores-test/queues/a.json");
    StoreLocation b = Stores.open("mem://stores-test/queues/a.json");
    assertThat(a.key()).isEqualTo("queues/a.json");
    assertThat(a.store()).isSameAs(b.store());
    a.store().create(a.key(), new byte[] {1});
    assertThat(b.store().read(b.key())).isPresent();
  }

  @Test
  void unknownSchemeListsTheAvailableOnes() {
    assertThatThrownBy(() -> Stores.open("fiel:///tmp/q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("no store for scheme 'fiel'")
        .hasMessageContaining("mem");
  }

  @Test
  void missingSchemeAndMalformedUrisAreExplained() {
    assertThatThrownBy(() -> Stores.open("/tmp/q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("has no scheme");
    assertThatThrownBy(() -> Stores.open("mem://x/a b"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("malformed store URI");
    assertThatThrownBy(() -> Stores.open(""))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> Stores.open("mem://only-a-name"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("must name a store and an object");
  }

  @Test
  void propertiesComeFromMapThenEnvironment() {
    StoreProperties p =
        new StoreProperties(
            Map.of("s3.region", "eu-west-1"),
            name -> name.equals("CASQ_S3_ENDPOINT") ? "http://127.0.0.1:7480" : null);
    assertThat(p.get("s3.region")).contains("eu-west-1");
    assertThat(p.get("s3.endpoint")).contains("http://127.0.0.1:7480");
    assertThat(p.get("s3.path-style")).isEmpty();
    assertThat(p.getDuration("x.timeout", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void badPropertyValuesNameTheKey() {
    StoreProperties p =
        new StoreProperties(Map.of("file.fsync", "maybe", "t", "5 parsecs"), name -> null);
    assertThatThrownBy(() -> p.getBoolean("file.fsync", true))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("file.fsync")
        .hasMessageContaining("CASQ_FILE_FSYNC");
    assertThatThrownBy(() -> p.getDuration("t", Duration.ZERO))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("duration");
    assertThat(StoreProperties.parseDuration("k", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(StoreProperties.parseDuration("k", "PT2S")).isEqualTo(Duration.ofSeconds(2));
    assertThat(StoreProperties.parseDuration("k", "0")).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> StoreProperties.parseDuration("k", "-5s"))
        .isInstanceOf(StoreConfigurationException.class);
  }

  @Test
  void keysAreValidated() {
    assertThatThrownBy(() -> ObjectKeys.validate("a/../b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ObjectKeys.validate("/a"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ObjectKeys.validate("a//b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ObjectKeys.validate("queues/ünïcode/ключ.json"))
        .isEqualTo("queues/ünïcode/ключ.json");
  }
}
