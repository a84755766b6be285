package dev.casq.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auth.Credentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.cloud.NoCredentials;
import dev.casq.storage.StoreConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcsClientsTest {

  @Test
  void noAuthUsesNoCredentials() {
    GcsStoreConfig c = GcsStoreConfig.from(Map.of("gcs.no-auth", "true"), k -> null);
    assertThat(GcsClients.credentials(c)).isSameAs(NoCredentials.getInstance());
  }

  @Test
  void anExplicitServiceAccountKeyFileIsUsed(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("sa.json");
    Files.writeString(key, serviceAccountJson("casq-test@example.iam.gserviceaccount.com"));
    GcsStoreConfig c =
        GcsStoreConfig.from(Map.of("gcs.credentials-file", key.toString()), k -> null);
    Credentials credentials = GcsClients.credentials(c);
    assertThat(credentials).isInstanceOf(ServiceAccountCredentials.class);
    assertThat(((ServiceAccountCredentials) credentials).getClientEmail())
        .isEqualTo("casq-test@example.iam.gserviceaccount.com");
  }

  @Test
  void aMissingKeyFileIsAClearError(@TempDir Path dir) {
    Path missing = dir.resolve("nope.json");
    GcsStoreConfig c =
        GcsStoreConfig.from(Map.of("gcs.credentials-file", missing.toString()), k -> null);
    assertThatThrownBy(() -> GcsClients.credentials(c))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("gcs.credentials-file")
        .hasMessageContaining("no such file");
  }

  @Test
  void aKeyFileThatIsNotCredentialsIsAClearError(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"hello\":\"world\"}");
    GcsStoreConfig c =
        GcsStoreConfig.from(Map.of("gcs.credentials-file", bad.toString()), k -> null);
    assertThatThrownBy(() -> GcsClients.credentials(c))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("cannot use");
  }

  @Test
  void writesAreSentOnce() {
    GcsStoreConfig c = GcsStoreConfig.from(Map.of("gcs.no-auth", "true"), k -> null);
    assertThat(GcsClients.noRetries(c).getMaxAttempts()).isEqualTo(1);
    try (GcsClients clients = GcsClients.create(c)) {
      assertThat(clients.writes().getOptions().getRetrySettings().getMaxAttempts()).isEqualTo(1);
      assertThat(clients.reads().getOptions().getRetrySettings().getMaxAttempts()).isGreaterThan(1);
    }
  }

  private static String serviceAccountJson(String email) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(generator.generateKeyPair().getPrivate().getEncoded());
    // JSON escapes the newlines of the PEM text.
    String pem =
        ("-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n")
            .replace("\n", "\\n");
    return "{\"type\":\"service_account\",\"project_id\":\"casq-test\","
        + "\"private_key_id\":\"0123456789abcdef\",\"private_key\":\""
        + pem
        + "\","
        + "\"client_email\":\""
        + email
        + "\",\"client_id\":\"1\","
        + "\"token_uri\":\"https://oauth2.googleapis.com/token\"}";
  }
}
