package dev.casq.storage.gcs;

import dev.casq.storage.ObjectKeys;
import dev.casq.storage.StoreConfigurationException;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a {@code gs://bucket/path/to/queue.json} URI names: a bucket and the key of one object in
 * it.
 *
 * @param bucket the bucket name
 * @param key the object key (no leading slash)
 */
public record GcsUri(String bucket, String key) {
  /** GCS bucket naming rules: 3-63 characters (up to 222 with dots), lower case, digits, -_. */
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");

  /**
   * Parses {@code gs://bucket/key}.
   *
   * @throws StoreConfigurationException naming what is wrong with the URI
   */
  public static GcsUri parse(URI uri) {
    if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).equals("gs")) {
      throw bad(uri, "the scheme must be gs");
    }
    if (uri.isOpaque()) {
      throw bad(uri, "expected gs://bucket/path/to/object.json");
    }
    String bucket = uri.getRawAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw bad(uri, "no bucket; expected gs://bucket/path/to/object.json");
    }
    if (bucket.contains("@") || bucket.contains(":")) {
      throw bad(uri, "the bucket part must be a bare bucket name (no user, no port)");
    }
    if (!validBucketName(bucket)) {
      throw bad(
          uri,
          "'"
              + bucket
              + "' is not a valid bucket name (3-63 characters: lower-case letters,"
              + " digits, '-', '_' and '.', starting and ending with a letter or digit)");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw bad(uri, "a gs:// URI takes no query or fragment; configure the store with properties");
    }
    String path = uri.getPath();
    if (path == null || path.length() <= 1) {
      throw bad(uri, "no object key; expected gs://" + bucket + "/path/to/object.json");
    }
    String key = path.substring(1);
    try {
      ObjectKeys.validate(key);
    } catch (IllegalArgumentException e) {
      throw bad(uri, e.getMessage());
    }
    return new GcsUri(bucket, key);
  }

  static boolean validBucketName(String bucket) {
    if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      return false;
    }
    if (!bucket.contains(".")) {
      return bucket.length() <= 63;
    }
    for (String part : bucket.split("\\.")) {
      if (part.isEmpty() || part.length() > 63) {
        return false;
      }
    }
    return true;
  }

  private static StoreConfigurationException bad(URI uri, String why) {
    return new StoreConfigurationException("bad gs:// URI '" + uri + "': " + why);
  }

  @Override
  public String toString() {
    return "gs://" + bucket + "/" + key;
  }
}
