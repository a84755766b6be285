package dev.casq.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.Stores;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class S3ObjectUriTest {

  @Test
  @DisplayName("s3://bucket/queues/emails.json names the bucket and the key")
  void parsesBucketAndKey() {
    assertThat(S3ObjectUri.parse(URI.create("s3://my-bucket/queues/emails.json")))
        .isEqualTo(new S3ObjectUri("my-bucket", "queues/emails.json"));
    assertThat(S3ObjectUri.parse(URI.create("S3://b.with.dots/q.json")))
        .isEqualTo(new S3ObjectUri("b.with.dots", "q.json"));
  }

  @Test
  @DisplayName("percent-escapes in the path are decoded")
  void decodesEscapes() {
    assertThat(S3ObjectUri.parse(URI.create("s3://bucket/my%20queue/%C3%BC.json")).key())
        .isEqualTo("my queue/ü.json");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "s3:bucket/q.json|must start with s3://",
        "s3:///q.json|names no bucket",
        "s3://bucket|names no object",
        "s3://bucket/|names no object",
        "s3://bucket/q/|must not start or end with '/'",
        "s3://bucket/a//b.json|empty, '.' or '..' segment",
        "s3://bucket/a/../b.json|empty, '.' or '..' segment",
        "s3://Bucket/q.json|lower-case letters",
        "s3://b_x/q.json|lower-case letters",
        "s3://ab/q.json|3 to 63 characters",
        "s3://-bucket/q.json|start and end with a letter or digit",
        "s3://a..b/q.json|must not contain '..'",
        "s3://key:secret@bucket/q.json|credentials do not belong in the URI",
        "s3://bucket:9000/q.json|set s3.endpoint",
        "s3://bucket/q.json?region=x|query and fragment",
        "s3://bucket/q.json#x|query and fragment",
      })
  void rejectsBadUris(String uri, String why) {
    assertThatThrownBy(() -> S3ObjectUri.parse(URI.create(uri)))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining(uri)
        .hasMessageContaining(why);
  }

  @Test
  @DisplayName(
      "the provider is found by scheme through ServiceLoader and validates before connecting")
  void providerIsRegistered() {
    assertThat(Stores.availableSchemes()).contains("s3");
    assertThatThrownBy(() -> Stores.open("s3://Bad_Bucket/q.json"))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("Bad_Bucket");
    assertThatThrownBy(
            () ->
                Stores.open(
                    "s3://bucket/q.json", Map.of("s3.region", "us-east-1", "s3.max-retries", "x")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("s3.max-retries");
  }
}
