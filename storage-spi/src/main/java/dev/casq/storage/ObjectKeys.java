package dev.casq.storage;

/** Validation of object keys shared by every store. */
public final class ObjectKeys {
  private ObjectKeys() {}

  /**
   * Checks that {@code key} is a valid object key and returns it.
   *
   * @throws IllegalArgumentException with a message naming the problem
   */
  public static String validate(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("object key must not be empty");
    }
    if (key.startsWith("/") || key.endsWith("/")) {
      throw new IllegalArgumentException("object key must not start or end with '/': " + key);
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("object key has an empty, '.' or '..' segment: " + key);
      }
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException("object key contains a control character: " + key);
      }
    }
    return key;
  }
}
