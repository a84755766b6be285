package dev.casq.storage.gcs.testserver;

import com.google.gson.JsonObject;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.zip.CRC32C;

/** One live object generation held by the test server. Immutable; {@code data} is never exposed. */
record StoredObject(
    String bucket,
    String name,
    long generation,
    long metageneration,
    byte[] data,
    String contentType,
    Map<String, String> metadata,
    Instant created) {

  StoredObject {
    metadata = Map.copyOf(metadata);
  }

  /** The base64 CRC32C (big-endian) of {@code data}, as GCS writes it. */
  static String crc32c(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return Base64.getEncoder()
        .encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** The base64 MD5 of {@code data}, as GCS writes it. */
  static String md5(byte[] data) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String etag() {
    return Base64.getEncoder()
        .withoutPadding()
        .encodeToString((generation + "/" + metageneration).getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code storage#object} resource; numbers as JSON strings, as the real API sends them. */
  JsonObject toResource(String baseUrl) {
    String encodedName = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    String time = DateTimeFormatter.ISO_INSTANT.format(created.truncatedTo(ChronoUnit.MILLIS));
    JsonObject o = new JsonObject();
    o.addProperty("kind", "storage#object");
    o.addProperty("id", bucket + "/" + name + "/" + generation);
    o.addProperty("selfLink", baseUrl + "/storage/v1/b/" + bucket + "/o/" + encodedName);
    o.addProperty(
        "mediaLink",
        baseUrl
            + "/download/storage/v1/b/"
            + bucket
            + "/o/"
            + encodedName
            + "?generation="
            + generation
            + "&alt=media");
    o.addProperty("name", name);
    o.addProperty("bucket", bucket);
    o.addProperty("generation", Long.toString(generation));
    o.addProperty("metageneration", Long.toString(metageneration));
    o.addProperty("contentType", contentType);
    o.addProperty("storageClass", "STANDARD");
    o.addProperty("size", Integer.toString(data.length));
    o.addProperty("md5Hash", md5(data));
    o.addProperty("crc32c", crc32c(data));
    o.addProperty("etag", etag());
    o.addProperty("timeCreated", time);
    o.addProperty("updated", time);
    o.addProperty("timeStorageClassUpdated", time);
    if (!metadata.isEmpty()) {
      JsonObject m = new JsonObject();
      metadata.forEach(m::addProperty);
      o.add("metadata", m);
    }
    return o;
  }
}
