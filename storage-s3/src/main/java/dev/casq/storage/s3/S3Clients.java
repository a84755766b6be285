package dev.casq.storage.s3;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * The two SDK clients of one store, sharing one HTTP connection pool and one credentials provider:
 * one that retries (reads, lists, deletes, unconditional writes) and one that never retries
 * (conditional writes).
 *
 * <p>Why conditional writes are never retried by the SDK: if a first attempt landed but its answer
 * was lost (timeout, reset) or garbled (a 5xx), a retry would be answered 412 and the store would
 * report "precondition failed" for a write that in fact won. Only the caller, who can re-read the
 * object, can tell those apart; so a conditional write makes exactly one attempt and reports an
 * unknown outcome as such.
 */
final class S3Clients implements AutoCloseable {
  private final SdkHttpClient http;
  private final AwsCredentialsProvider credentials;
  private final boolean ownsCredentials;
  private final S3Client retrying;
  private final S3Client singleAttempt;

  private S3Clients(
      SdkHttpClient http,
      AwsCredentialsProvider credentials,
      boolean ownsCredentials,
      S3Client retrying,
      S3Client singleAttempt) {
    this.http = http;
    this.credentials = credentials;
    this.ownsCredentials = ownsCredentials;
    this.retrying = retrying;
    this.singleAttempt = singleAttempt;
  }

  static S3Clients create(S3StoreConfig config) {
    SdkHttpClient http =
        Apache5HttpClient.builder()
            .maxConnections(config.maxConnections())
            .connectionTimeout(min(config.apiCallAttemptTimeout(), java.time.Duration.ofSeconds(5)))
            .socketTimeout(config.apiCallAttemptTimeout())
            .connectionAcquisitionTimeout(config.apiCallAttemptTimeout())
            // Objects are small: waiting for "100 Continue" would only add a round trip.
            .expectContinueEnabled(false)
            .build();
    AwsCredentialsProvider credentials;
    boolean owns;
    if (config.credentials().isPresent()) {
      S3StoreConfig.StaticCredentials keys = config.credentials().get();
      AwsCredentials c =
          keys.sessionToken().isPresent()
              ? AwsSessionCredentials.create(
                  keys.accessKey(), keys.secretKey(), keys.sessionToken().get())
              : AwsBasicCredentials.create(keys.accessKey(), keys.secretKey());
      credentials = StaticCredentialsProvider.create(c);
      owns = false;
    } else {
      credentials = DefaultCredentialsProvider.builder().build();
      owns = true;
    }
    List<AutoCloseable> built = new ArrayList<>();
    try {
      S3Client retrying =
          builder(config, http, credentials)
              .overrideConfiguration(
                  o ->
                      o.apiCallTimeout(config.apiCallTimeout())
                          .apiCallAttemptTimeout(config.apiCallAttemptTimeout())
                          .retryStrategy(retryingStrategy(config.maxRetries())))
              .build();
      built.add(retrying);
      S3Client single =
          builder(config, http, credentials)
              .overrideConfiguration(
                  o ->
                      o.apiCallTimeout(config.apiCallTimeout())
                          .apiCallAttemptTimeout(config.apiCallAttemptTimeout())
                          .retryStrategy(AwsRetryStrategy.doNotRetry()))
              .build();
      return new S3Clients(http, credentials, owns, retrying, single);
    } catch (RuntimeException e) {
      built.forEach(S3Clients::closeQuietly);
      http.close();
      if (owns && credentials instanceof AutoCloseable c) {
        closeQuietly(c);
      }
      throw e;
    }
  }

  private static RetryStrategy retryingStrategy(int maxRetries) {
    return maxRetries == 0
        ? AwsRetryStrategy.doNotRetry()
        : AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxRetries + 1).build();
  }

  private static S3ClientBuilder builder(
      S3StoreConfig config, SdkHttpClient http, AwsCredentialsProvider credentials) {
    S3ClientBuilder b =
        S3Client.builder()
            .httpClient(http)
            .credentialsProvider(credentials)
            .region(Region.of(config.region()))
            .forcePathStyle(config.pathStyle())
            // Sign the payload in one piece rather than as aws-chunked: objects are small, every
            // server accepts it, and radosgw rejects aws-chunked framing of a 0-byte body.
            .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
            .requestChecksumCalculation(config.checksums().requestCalculation())
            .responseChecksumValidation(config.checksums().responseValidation());
    config.endpoint().ifPresent(b::endpointOverride);
    return b;
  }

  /** For reads, lists, deletes and unconditional writes: retries per {@code s3.max-retries}. */
  S3Client retrying() {
    return retrying;
  }

  /** For conditional writes: exactly one attempt. */
  S3Client singleAttempt() {
    return singleAttempt;
  }

  @Override
  public void close() {
    closeQuietly(retrying);
    closeQuietly(singleAttempt);
    http.close();
    if (ownsCredentials && credentials instanceof AutoCloseable c) {
      closeQuietly(c);
    }
  }

  private static java.time.Duration min(java.time.Duration a, java.time.Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing: nothing left to do
    }
  }
}
