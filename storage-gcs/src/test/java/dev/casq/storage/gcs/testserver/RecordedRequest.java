package dev.casq.storage.gcs.testserver;

import java.util.Map;

/**
 * One request the {@link GcsTestServer} answered: method, raw path, decoded query parameters and
 * the status sent ({@code -1} when the connection was dropped on purpose).
 */
public record RecordedRequest(String method, String path, Map<String, String> query, int status) {
  public RecordedRequest {
    query = Map.copyOf(query);
  }

  /** Whether this request carried object bytes to store (an upload POST or a resumable PUT). */
  public boolean isObjectUpload() {
    return path.startsWith("/upload/") && !method.equals("DELETE");
  }

  /** The {@code uploadType} parameter, or empty. */
  public String uploadType() {
    return query.getOrDefault("uploadType", "");
  }
}
