package dev.casq.election;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name under which a broker serves a queue, e.g. {@code emails} for {@code
 * s3://bucket/queues/emails.json}. Clients configured with only a store URI use the same rule.
 */
public final class QueueNames {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private QueueNames() {}

  /**
   * The default queue name of a store URI: the object's file name without a {@code .json} suffix.
   *
   * @throws IllegalArgumentException if the URI is malformed or the file name is not a valid name
   */
  public static String defaultName(String storeUri) {
    if (storeUri == null || storeUri.isBlank()) {
      throw new IllegalArgumentException("store URI is empty");
    }
    String path;
    try {
      URI uri = new URI(storeUri.trim());
      path = uri.getPath() != null ? uri.getPath() : uri.getSchemeSpecificPart();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "malformed store URI '" + storeUri + "': " + e.getReason());
    }
    if (path == null) {
      path = "";
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String file = path.substring(path.lastIndexOf('/') + 1);
    if (file.toLowerCase(Locale.ROOT).endsWith(".json")) {
      file = file.substring(0, file.length() - ".json".length());
    }
    if (!VALID.matcher(file).matches()) {
      throw new IllegalArgumentException(
          "cannot derive a queue name from '"
              + storeUri
              + "' (got '"
              + file
              + "'); name the"
              + " queue explicitly (letters, digits, '.', '_', '-'; up to 128 characters)");
    }
    return file;
  }

  /** Whether {@code name} is a valid queue name. */
  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /**
   * Returns {@code name} if valid.
   *
   * @throws IllegalArgumentException otherwise
   */
  public static String validate(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          "invalid queue name '"
              + name
              + "': use 1 to 128 letters, digits, '.', '_' or '-',"
              + " starting with a letter or digit");
    }
    return name;
  }
}
