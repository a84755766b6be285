package dev.casq.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.storage.BackPressureException;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreConfigurationException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3FailureMapperTest {
  private final S3FailureMapper mapper = new S3FailureMapper("bkt", "http://127.0.0.1:7480");

  private static S3Exception answer(int status, String code) {
    return (S3Exception)
        S3Exception.builder()
            .statusCode(status)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("m").build())
            .message("m")
            .build();
  }

  private static SdkClientException transport(IOException cause) {
    return SdkClientException.builder()
        .message("Unable to execute HTTP request")
        .cause(cause)
        .build();
  }

  @Test
  @DisplayName("412 and 409 ConditionalRequestConflict lose conditional writes")
  void lost() {
    assertThat(mapper.map(S3Operation.REPLACE, "k", answer(412, "PreconditionFailed")))
        .isInstanceOf(PreconditionFailedException.class);
    assertThat(mapper.map(S3Operation.CREATE, "k", answer(412, "PreconditionFailed")))
        .isInstanceOf(PreconditionFailedException.class)
        .hasMessageContaining("already exists");
    assertThat(mapper.map(S3Operation.CREATE, "k", answer(409, "ConditionalRequestConflict")))
        .isInstanceOf(PreconditionFailedException.class);
    assertThat(mapper.map(S3Operation.REPLACE, "k", answer(404, "NoSuchKey")))
        .isInstanceOf(PreconditionFailedException.class);
  }

  @Test
  @DisplayName("another 409 is a refusal that wrote nothing, not a lost race")
  void other409() {
    StorageException e = mapper.map(S3Operation.REPLACE, "k", answer(409, "OperationAborted"));
    assertThat(e)
        .isExactlyInstanceOf(StorageException.class)
        .hasMessageContaining("nothing was written");
  }

  @Test
  @DisplayName("5xx: unknown for writes, a plain error for reads")
  void serverErrors() {
    assertThat(mapper.map(S3Operation.REPLACE, "k", answer(500, "InternalError")))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(mapper.map(S3Operation.PUT, "k", answer(502, "BadGateway")))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(mapper.map(S3Operation.READ, "k", answer(500, "InternalError")))
        .isExactlyInstanceOf(StorageException.class);
  }

  @Test
  @DisplayName("throttling is back-pressure; 503 without SlowDown is not")
  void throttling() {
    assertThat(mapper.map(S3Operation.CREATE, "k", answer(503, "SlowDown")))
        .isInstanceOf(BackPressureException.class);
    assertThat(mapper.map(S3Operation.CREATE, "k", answer(429, "TooManyRequests")))
        .isInstanceOf(BackPressureException.class);
    assertThat(mapper.map(S3Operation.CREATE, "k", answer(503, "ServiceUnavailable")))
        .isInstanceOf(OutcomeUnknownException.class);
  }

  @Test
  @DisplayName("credentials, missing bucket and wrong region are configuration errors")
  void configuration() {
    assertThat(mapper.map(S3Operation.READ, "k", answer(403, "AccessDenied")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("bucket 'bkt'")
        .hasMessageContaining("http://127.0.0.1:7480");
    assertThat(mapper.map(S3Operation.REPLACE, "k", answer(400, "AuthorizationHeaderMalformed")))
        .isInstanceOf(StoreConfigurationException.class);
    assertThat(mapper.map(S3Operation.REPLACE, "k", answer(404, "NoSuchBucket")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("does not exist");
    assertThat(mapper.map(S3Operation.LIST, null, answer(301, "PermanentRedirect")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("region");
  }

  @Test
  @DisplayName("transport failures: unknown unless the request can never have left")
  void transportFailures() {
    assertThat(
            mapper.map(
                S3Operation.REPLACE, "k", transport(new SocketException("Connection reset"))))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(
            mapper.map(
                S3Operation.REPLACE, "k", transport(new SocketTimeoutException("Read timed out"))))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(
            mapper.map(
                S3Operation.CREATE,
                "k",
                ApiCallAttemptTimeoutException.builder().message("attempt timeout").build()))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(
            mapper.map(
                S3Operation.CREATE, "k", transport(new ConnectException("Connection refused"))))
        .isExactlyInstanceOf(StorageException.class)
        .hasMessageContaining("nothing was sent");
    assertThat(mapper.map(S3Operation.CREATE, "k", transport(new UnknownHostException("nowhere"))))
        .isExactlyInstanceOf(StorageException.class);
    assertThat(
            mapper.map(
                S3Operation.CREATE,
                "k",
                transport(
                    new org.apache.hc.client5.http.ConnectTimeoutException("connect timed out"))))
        .isExactlyInstanceOf(StorageException.class);
    assertThat(
            mapper.map(S3Operation.READ, "k", transport(new SocketException("Connection reset"))))
        .isExactlyInstanceOf(StorageException.class);
  }

  @Test
  @DisplayName("no credentials: one readable line, the SDK's chain kept as the cause")
  void noCredentials() {
    String chain =
        "Unable to load credentials from any of the providers in the chain"
            + " AwsCredentialsProviderChain(credentialsProviders=[SystemPropertyCredentialsProvider(),"
            + " EnvironmentVariableCredentialsProvider(), ProfileCredentialsProvider()]) :"
            + " [SystemPropertyCredentialsProvider(): Unable to load credentials from system settings."
            + " Access key must be specified either via environment variable (AWS_ACCESS_KEY_ID) or"
            + " system property (aws.accessKeyId)., ProfileCredentialsProvider(): Profile file"
            + " contained no credentials for profile 'default']";
    SdkClientException e = SdkClientException.builder().message(chain).build();
    for (S3Operation op : S3Operation.values()) {
      StorageException mapped = mapper.map(op, "q.json", e);
      assertThat(mapped)
          .isInstanceOf(StoreConfigurationException.class)
          .hasMessageStartingWith(
              "no AWS credentials found for bucket 'bkt' at" + " http://127.0.0.1:7480")
          .hasMessageContaining("s3.access-key")
          .hasMessageContaining("AWS_ACCESS_KEY_ID")
          .hasMessageContaining("nothing was sent")
          .hasMessageNotContaining("Provider")
          .hasCause(e);
      assertThat(mapped.getMessage()).doesNotContain("\n");
    }
    SdkClientException wrapped =
        SdkClientException.builder()
            .message("Unable to execute")
            .cause(SdkClientException.builder().message(chain).build())
            .build();
    assertThat(mapper.map(S3Operation.REPLACE, "q.json", wrapped))
        .isInstanceOf(StoreConfigurationException.class);
  }
}
