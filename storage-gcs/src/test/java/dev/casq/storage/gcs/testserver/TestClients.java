package dev.casq.storage.gcs.testserver;

import com.google.cloud.NoCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

/** Official GCS clients pointed at a {@link GcsTestServer}, as a user would configure them. */
public final class TestClients {
  private TestClients() {}

  /** A client with the library's default retry behaviour. */
  public static Storage retrying(GcsTestServer server) {
    return StorageOptions.http()
        .setHost(server.baseUrl())
        .setProjectId("test")
        .setCredentials(NoCredentials.getInstance())
        .build()
        .getService();
  }

  /** A client that sends every request once. */
  public static Storage singleAttempt(GcsTestServer server) {
    return StorageOptions.http()
        .setHost(server.baseUrl())
        .setProjectId("test")
        .setCredentials(NoCredentials.getInstance())
        .setRetrySettings(ServiceOptions.getNoRetrySettings())
        .build()
        .getService();
  }
}
