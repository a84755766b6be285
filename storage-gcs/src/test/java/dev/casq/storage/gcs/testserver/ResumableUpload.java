package dev.casq.storage.gcs.testserver;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * The state of one resumable upload session: target, preconditions given when it was started, the
 * bytes received so far, and the object resource once finalized. Guarded by its own monitor.
 */
final class ResumableUpload {
  final String id;
  final String bucket;
  final String name;
  final String contentType;
  final Map<String, String> metadata;
  final Preconditions preconditions;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private JsonObject result;

  ResumableUpload(
      String id,
      String bucket,
      String name,
      String contentType,
      Map<String, String> metadata,
      Preconditions preconditions) {
    this.id = id;
    this.bucket = bucket;
    this.name = name;
    this.contentType = contentType;
    this.metadata = Map.copyOf(metadata);
    this.preconditions = preconditions;
  }

  long size() {
    return received.size();
  }

  /**
   * Accepts the bytes {@code [first, first + chunk.length)}; bytes already persisted are skipped,
   * as GCS does when a client resends a range.
   */
  void accept(long first, byte[] chunk) {
    long have = received.size();
    if (first > have) {
      throw GcsError.badRequest(
          "Invalid request. Content-Range starts at "
              + first
              + " but only "
              + have
              + " bytes were persisted");
    }
    int skip = (int) (have - first);
    if (skip < chunk.length) {
      received.write(chunk, skip, chunk.length - skip);
    }
  }

  byte[] bytes() {
    return received.toByteArray();
  }

  JsonObject result() {
    return result;
  }

  void complete(JsonObject resource) {
    this.result = resource;
  }
}
