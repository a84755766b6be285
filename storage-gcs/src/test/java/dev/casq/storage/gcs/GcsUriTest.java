package dev.casq.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.Stores;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GcsUriTest {

  @Test
  void bucketAndKey() {
    GcsUri u = GcsUri.parse(URI.create("gs://my-bucket/queues/emails.json"));
    assertThat(u.bucket()).isEqualTo("my-bucket");
    assertThat(u.key()).isEqualTo("queues/emails.json");
    assertThat(u).hasToString("gs://my-bucket/queues/emails.json");
  }

  @Test
  void keyIsPercentDecodedAndSchemeIsCaseInsensitive() {
    GcsUri u = GcsUri.parse(URI.create("GS://b_1.example.com/a%20b/%C3%BC.json"));
    assertThat(u.bucket()).isEqualTo("b_1.example.com");
    assertThat(u.key()).isEqualTo("a b/ü.json");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "gs:///queue.json|no bucket",
        "gs://bucket|no object key",
        "gs://bucket/|no object key",
        "gs://Bucket/q.json|not a valid bucket name",
        "gs://ab/q.json|not a valid bucket name",
        "gs://-bucket/q.json|not a valid bucket name",
        "gs://bucket..x/q.json|not a valid bucket name",
        "gs://user@bucket/q.json|bare bucket name",
        "gs://bucket:443/q.json|bare bucket name",
        "gs://bucket/q.json?x=1|no query or fragment",
        "gs://bucket/q.json#f|no query or fragment",
        "gs://bucket/a/../q.json|'..' segment",
        "gs://bucket/a//q.json|empty",
        "gs://bucket/dir/|must not start or end with '/'",
        "gs:bucket/q.json|expected gs://bucket",
        "s3://bucket/q.json|scheme must be gs",
      })
  void badUrisAreRejectedWithTheReason(String uri, String reason) {
    assertThatThrownBy(() -> GcsUri.parse(URI.create(uri)))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining(uri)
        .hasMessageContaining(reason);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc",
        "a-b_c.d",
        "0123456789012345678901234567890123456789012345678901234567890ab"
      })
  void validBucketNames(String name) {
    assertThat(GcsUri.validBucketName(name)).isTrue();
  }

  @Test
  void overlongBucketWithoutDotsIsInvalid() {
    assertThat(GcsUri.validBucketName("a".repeat(64))).isFalse();
    assertThat(GcsUri.validBucketName("a".repeat(63) + "." + "b".repeat(63))).isTrue();
  }

  @Test
  void theGsSchemeIsRegisteredThroughServiceLoader() {
    assertThat(Stores.availableSchemes()).contains("gs");
    assertThatThrownBy(() -> Stores.open("gs://Not_Valid/q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("not a valid bucket name");
  }
}
