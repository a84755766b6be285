package dev.casq.storage.s3;

import dev.casq.storage.ObjectKeys;
import dev.casq.storage.StoreConfigurationException;
import java.net.URI;
import java.util.Locale;

/**
 * What an {@code s3://bucket/path/to/object.json} URI names: a bucket and the key of one object in
 * it. Percent-escapes in the path are decoded ({@code s3://b/my%20queue.json} names key {@code my
 * queue.json}).
 *
 * @param bucket the bucket name
 * @param key the object key, without a leading '/'
 */
public record S3ObjectUri(String bucket, String key) {
  private static final String EXAMPLE = "s3://my-bucket/queues/emails.json";

  /**
   * Parses an {@code s3://} URI.
   *
   * @throws StoreConfigurationException naming what is wrong with the URI
   */
  public static S3ObjectUri parse(URI uri) {
    String scheme = uri.getScheme();
    if (scheme == null || !scheme.toLowerCase(Locale.ROOT).equals("s3")) {
      throw bad(uri, "the scheme must be s3");
    }
    if (uri.isOpaque()) {
      throw bad(uri, "it must start with s3:// followed by the bucket");
    }
    if (uri.getRawUserInfo() != null) {
      throw bad(uri, "credentials do not belong in the URI; set s3.access-key and s3.secret-key");
    }
    if (uri.getPort() != -1) {
      throw bad(uri, "a port does not belong in the URI; set s3.endpoint");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw bad(
          uri, "query and fragment are not supported; configure the store with s3.* properties");
    }
    String bucket = uri.getAuthority();
    if (bucket == null || bucket.isEmpty()) {
      throw bad(uri, "it names no bucket");
    }
    String problem = bucketNameProblem(bucket);
    if (problem != null) {
      throw bad(uri, "bucket name '" + bucket + "' " + problem);
    }
    String path = uri.getPath();
    if (path == null || path.length() <= 1) {
      throw bad(uri, "it names no object after the bucket");
    }
    String key = path.substring(1);
    try {
      ObjectKeys.validate(key);
    } catch (IllegalArgumentException e) {
      throw new StoreConfigurationException(
          "bad s3:// URI '" + uri + "': " + e.getMessage() + "; expected e.g. " + EXAMPLE, e);
    }
    return new S3ObjectUri(bucket, key);
  }

  /**
   * Why {@code bucket} is not a usable bucket name, or null if it is. The rules are those every
   * S3-compatible server accepts: 3 to 63 characters of lower-case letters, digits, '.' and '-',
   * starting and ending with a letter or digit, no '..'.
   */
  static String bucketNameProblem(String bucket) {
    if (bucket.length() < 3 || bucket.length() > 63) {
      return "must have 3 to 63 characters";
    }
    for (int i = 0; i < bucket.length(); i++) {
      char c = bucket.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
      if (!ok) {
        return "may contain only lower-case letters, digits, '.' and '-'";
      }
    }
    if (!Character.isLetterOrDigit(bucket.charAt(0))
        || !Character.isLetterOrDigit(bucket.charAt(bucket.length() - 1))) {
      return "must start and end with a letter or digit";
    }
    if (bucket.contains("..")) {
      return "must not contain '..'";
    }
    return null;
  }

  private static StoreConfigurationException bad(URI uri, String why) {
    return new StoreConfigurationException(
        "bad s3:// URI '" + uri + "': " + why + "; expected e.g. " + EXAMPLE);
  }

  @Override
  public String toString() {
    return "s3://" + bucket + "/" + key;
  }
}
