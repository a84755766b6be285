package dev.casq.storage.s3;

import dev.casq.storage.BackPressureException;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreConfigurationException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Turns what the AWS SDK throws into casq's error model. The rules, for conditional writes:
 *
 * <ul>
 *   <li>412, and 409 {@code ConditionalRequestConflict} (two conditional writes met): precondition
 *       failed. 404 on a replace (AWS answers so when the object is gone): precondition failed.
 *   <li>A 4xx answer means the server refused the request: nothing was written. Wrong credentials
 *       or a missing bucket are configuration errors naming the bucket and the endpoint.
 *   <li>429, and 503 with code {@code SlowDown}: back-pressure; the server refused the request
 *       before acting on it.
 *   <li>Any other 5xx answer, and any failure after the request may have left (timeout, reset,
 *       broken response): outcome unknown. Ceph radosgw sometimes answers a losing racer with 500;
 *       that is outcome unknown too, never assumed lost.
 *   <li>A failure to connect at all (refused, unknown host, TLS handshake): nothing was sent, so
 *       nothing was written.
 * </ul>
 */
final class S3FailureMapper {
  /** The retry delay advertised with back-pressure when the server gives none. */
  static final Duration DEFAULT_BACK_OFF = Duration.ofSeconds(1);

  private static final List<String> AUTH_CODES =
      List.of(
          "AccessDenied",
          "InvalidAccessKeyId",
          "SignatureDoesNotMatch",
          "InvalidToken",
          "ExpiredToken",
          "TokenRefreshRequired",
          "AllAccessDisabled",
          "AccountProblem",
          "InvalidSecurity",
          "AuthorizationHeaderMalformed");

  private final String bucket;
  private final String endpoint;

  S3FailureMapper(String bucket, String endpoint) {
    this.bucket = bucket;
    this.endpoint = endpoint;
  }

  /** The casq exception for {@code failure} of {@code op} on {@code key} (null for bucket-wide). */
  StorageException map(S3Operation op, String key, RuntimeException failure) {
    if (failure instanceof SdkServiceException service) {
      return mapAnswer(op, key, service);
    }
    return mapNoAnswer(op, key, failure);
  }

  private StorageException mapAnswer(S3Operation op, String key, SdkServiceException e) {
    int status = e.statusCode();
    String code = errorCode(e).orElse("");
    String what = describe(op, key) + ": HTTP " + status + (code.isEmpty() ? "" : " " + code);

    if (op.conditional()) {
      if (status == 412) {
        return new PreconditionFailedException(preconditionMessage(op, key), e);
      }
      if (status == 409 && code.equals("ConditionalRequestConflict")) {
        return new PreconditionFailedException(
            preconditionMessage(op, key) + " (a concurrent conditional write won)", e);
      }
      if (op == S3Operation.REPLACE && status == 404 && !code.equals("NoSuchBucket")) {
        return new PreconditionFailedException("object does not exist: " + location(key), e);
      }
    }
    if (status == 404 && code.equals("NoSuchBucket")) {
      return new StoreConfigurationException(
          "bucket '" + bucket + "' does not exist at " + endpoint + " (" + what + ")", e);
    }
    if (status == 401 || status == 403 || AUTH_CODES.contains(code)) {
      return new StoreConfigurationException(
          "access to bucket '"
              + bucket
              + "' at "
              + endpoint
              + " denied ("
              + what
              + "): check s3.access-key / s3.secret-key or the AWS credentials, and the bucket"
              + " policy",
          e);
    }
    if (status == 301 || code.equals("PermanentRedirect")) {
      String region =
          e instanceof AwsServiceException aws
                  && aws.awsErrorDetails() != null
                  && aws.awsErrorDetails().sdkHttpResponse() != null
              ? aws.awsErrorDetails()
                  .sdkHttpResponse()
                  .firstMatchingHeader("x-amz-bucket-region")
                  .orElse(null)
              : null;
      return new StoreConfigurationException(
          "bucket '"
              + bucket
              + "' is not in the configured region at "
              + endpoint
              + (region != null ? "; it is in " + region + ": set s3.region=" + region : "")
              + " ("
              + what
              + ")",
          e);
    }
    if (status == 429 || (status == 503 && code.equals("SlowDown"))) {
      return new BackPressureException(
          what + ": the server asks to slow down; nothing was written", retryAfter(e), e);
    }
    if (status >= 500) {
      if (op.write()) {
        return new OutcomeUnknownException(
            what
                + ": server error after the request was sent; the write may or may not have"
                + " landed",
            e);
      }
      return new StorageException(what + ": server error", e);
    }
    return new StorageException(what + ": refused by the server; nothing was written", e);
  }

  private StorageException mapNoAnswer(S3Operation op, String key, RuntimeException e) {
    String what = describe(op, key);
    if (noCredentials(e)) {
      // the SDK lists every provider it tried in one long message: keep it as the cause (-v)
      return new StoreConfigurationException(
          "no AWS credentials found for bucket '"
              + bucket
              + "' at "
              + endpoint
              + " ("
              + what
              + "): set s3.access-key and s3.secret-key (CASQ_S3_ACCESS_KEY,"
              + " CASQ_S3_SECRET_KEY), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an AWS"
              + " profile or a role; nothing was sent",
          e);
    }
    String cause = rootMessage(e);
    if (neverSent(e)) {
      return new StorageException(
          what + ": cannot connect to " + endpoint + " (" + cause + "); nothing was sent", e);
    }
    if (op.write()) {
      return new OutcomeUnknownException(
          what
              + ": no complete answer from "
              + endpoint
              + " ("
              + cause
              + "); the write may or may not have landed",
          e);
    }
    return new StorageException(
        what + ": no complete answer from " + endpoint + " (" + cause + ")", e);
  }

  /**
   * Whether the failure happened before any byte of the request could reach the server: the
   * connection was refused, timed out or could not be taken from the pool, the host is unknown or
   * unreachable, or the TLS handshake failed. Other timeouts are never counted here: they may
   * strike after the request was sent.
   */
  static boolean neverSent(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SSLHandshakeException
          || t instanceof ConnectTimeoutException
          || t instanceof ConnectionRequestTimeoutException) {
        return true;
      }
      if (t instanceof InterruptedIOException) {
        // any other timeout may have struck after the request was sent
        return false;
      }
    }
    return false;
  }

  /** Whether the SDK found no credentials to sign with (before anything was sent). */
  static boolean noCredentials(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.startsWith("Unable to load credentials")) {
        return true;
      }
    }
    return false;
  }

  static Optional<String> errorCode(SdkServiceException e) {
    if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
      return Optional.ofNullable(aws.awsErrorDetails().errorCode()).filter(c -> !c.isBlank());
    }
    return Optional.empty();
  }

  private static Duration retryAfter(SdkServiceException e) {
    if (e instanceof AwsServiceException aws
        && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().sdkHttpResponse() != null) {
      Optional<String> header =
          aws.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After");
      if (header.isPresent()) {
        try {
          long seconds = Long.parseLong(header.get().trim());
          if (seconds >= 0 && seconds <= 3600) {
            return Duration.ofSeconds(seconds);
          }
        } catch (NumberFormatException ignored) {
          // an HTTP date: use the default
        }
      }
    }
    return DEFAULT_BACK_OFF;
  }

  private String preconditionMessage(S3Operation op, String key) {
    return op == S3Operation.CREATE
        ? "object already exists: " + location(key)
        : "version mismatch (or object gone): " + location(key);
  }

  private String describe(S3Operation op, String key) {
    return op.verb() + " " + location(key);
  }

  private String location(String key) {
    return "s3://" + bucket + (key == null ? "" : "/" + key) + " at " + endpoint;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
