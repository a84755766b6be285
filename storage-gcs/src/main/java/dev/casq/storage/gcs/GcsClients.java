package dev.casq.storage.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.HttpStorageOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import dev.casq.storage.StoreConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;

/**
 * The two GCS clients a store uses, built from a {@link GcsStoreConfig}.
 *
 * <p>{@code writes} never retries: the client treats a write with {@code ifGenerationMatch} as
 * idempotent and would resend it after a 503, a timeout or a reset; if the first attempt had
 * landed, the resend fails its precondition and a write that succeeded would be reported as lost.
 * casq reports such failures as outcome unknown instead and lets the caller re-read. {@code reads}
 * keeps the client's default retries (reads, lists and deletes are safe to repeat).
 *
 * @param reads client for get, read, list and delete
 * @param writes client for create, replace and put (one attempt per call)
 */
record GcsClients(Storage reads, Storage writes) implements AutoCloseable {

  static GcsClients create(GcsStoreConfig config) {
    Credentials credentials = credentials(config);
    HttpTransportOptions transport =
        HttpTransportOptions.newBuilder()
            .setConnectTimeout(millis(config.connectTimeout()))
            .setReadTimeout(millis(config.readTimeout()))
            .build();
    HttpStorageOptions.Builder base =
        StorageOptions.http()
            .setHost(config.host())
            .setCredentials(credentials)
            .setTransportOptions(transport);
    config.project().ifPresent(base::setProjectId);
    HttpStorageOptions readOptions = base.build();
    HttpStorageOptions writeOptions =
        readOptions.toBuilder().setRetrySettings(noRetries(config)).build();
    return new GcsClients(readOptions.getService(), writeOptions.getService());
  }

  /** One attempt, bounded by the read timeout (plus the connect timeout). */
  static RetrySettings noRetries(GcsStoreConfig config) {
    Duration total = config.connectTimeout().plus(config.readTimeout());
    return ServiceOptions.getNoRetrySettings().toBuilder()
        .setMaxAttempts(1)
        .setTotalTimeoutDuration(total)
        .build();
  }

  /** The credentials {@code config} asks for, resolved now so that errors show at open time. */
  static Credentials credentials(GcsStoreConfig config) {
    if (config.noAuth()) {
      return NoCredentials.getInstance();
    }
    if (config.credentialsFile().isPresent()) {
      var file = config.credentialsFile().get();
      try (InputStream in = Files.newInputStream(file)) {
        return GoogleCredentials.fromStream(in);
      } catch (NoSuchFileException e) {
        throw new StoreConfigurationException(
            GcsStoreConfig.CREDENTIALS_FILE + ": no such file " + file, e);
      } catch (IOException | RuntimeException e) {
        throw new StoreConfigurationException(
            GcsStoreConfig.CREDENTIALS_FILE
                + ": cannot use "
                + file
                + " as Google credentials (expected a service-account key JSON): "
                + e.getMessage(),
            e);
      }
    }
    try {
      return GoogleCredentials.getApplicationDefault();
    } catch (IOException e) {
      throw new StoreConfigurationException(
          "no Google Application Default Credentials found for gs:// ("
              + e.getMessage()
              + "); set GOOGLE_APPLICATION_CREDENTIALS or "
              + GcsStoreConfig.CREDENTIALS_FILE
              + " to a key file, run 'gcloud auth application-default login', or set "
              + GcsStoreConfig.NO_AUTH
              + "=true for an emulator",
          e);
    }
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  @Override
  public void close() {
    closeQuietly(reads);
    closeQuietly(writes);
  }

  private static void closeQuietly(Storage storage) {
    try {
      storage.close();
    } catch (Exception e) {
      // Closing an HTTP client releases nothing that matters to the caller.
    }
  }
}
