package dev.casq.storage.gcs;

import com.google.cloud.BaseServiceException;
import dev.casq.storage.BackPressureException;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreConfigurationException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;

/**
 * Maps what the GCS client throws to casq's error model. For a write, anything that may have
 * reached the server without a definite answer is {@link OutcomeUnknownException}; only answers
 * that prove nothing was written (412, 429, 400, 401, 403, 404 bucket, or a connection that never
 * opened) say otherwise.
 */
final class GcsErrors {
  private GcsErrors() {}

  /**
   * Maps a failed create, replace or put of {@code target}.
   *
   * @param retryAfter the delay suggested on back-pressure
   */
  static StorageException forWrite(String target, RuntimeException e, Duration retryAfter) {
    int code = code(e);
    switch (code) {
      case 412:
        return new PreconditionFailedException(
            "generation precondition failed for " + target + ": " + message(e), e);
      case 429:
        return new BackPressureException(
            "GCS rate limit for " + target + " (429, the write did not happen): " + message(e),
            retryAfter,
            e);
      case 400:
        return new StorageException(
            "GCS rejected the write of " + target + " (400): " + message(e), e);
      case 401:
      case 403:
      case 404:
        return forAccess(target, code, e);
      default:
        if (code == 0 && neverConnected(e)) {
          return new StorageException(
              "cannot reach GCS for " + target + " (nothing was sent): " + message(e), e);
        }
        return new OutcomeUnknownException(
            "outcome of the write of "
                + target
                + " is unknown ("
                + (code == 0 ? "no answer" : "HTTP " + code)
                + "): "
                + message(e)
                + "; re-read to find out whether it landed",
            e);
    }
  }

  /** Maps a failed read, list or delete (nothing was changed by a failed read). */
  static StorageException forRead(String target, RuntimeException e) {
    int code = code(e);
    switch (code) {
      case 401:
      case 403:
      case 404:
        return forAccess(target, code, e);
      case 429:
        return new BackPressureException(
            "GCS rate limit while reading " + target + " (429): " + message(e),
            Duration.ofSeconds(1),
            e);
      default:
        return new StorageException(
            "GCS request for "
                + target
                + " failed ("
                + (code == 0 ? "no answer" : "HTTP " + code)
                + "): "
                + message(e),
            e);
    }
  }

  private static StorageException forAccess(String target, int code, RuntimeException e) {
    switch (code) {
      case 401:
        return new StoreConfigurationException(
            "GCS refused the credentials for "
                + target
                + " (401): "
                + message(e)
                + "; check gcs.credentials-file or Application Default Credentials",
            e);
      case 403:
        return new StoreConfigurationException(
            "permission denied for "
                + target
                + " (403): "
                + message(e)
                + "; the account needs storage.objects.get, .list, .create and .delete on the"
                + " bucket (e.g. roles/storage.objectUser)",
            e);
      default:
        return new StoreConfigurationException(
            "bucket of " + target + " does not exist (404): " + message(e), e);
    }
  }

  /** The HTTP status the client saw, or 0 when it got no answer. */
  static int code(RuntimeException e) {
    return e instanceof BaseServiceException ? ((BaseServiceException) e).getCode() : 0;
  }

  /** Whether the connection failed before any byte of the request could be sent. */
  static boolean neverConnected(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SSLHandshakeException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    if ((m == null || m.isBlank()) && e.getCause() != null) {
      m = e.getCause().toString();
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
