package dev.casq.storage.file;

import dev.casq.storage.ObjectKeys;
import dev.casq.storage.ObjectStoreProvider;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.StoreProperties;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code file:///path/to/queue.json}: the object {@code queue.json} in the store rooted at the
 * directory {@code /path/to}, which must exist.
 *
 * <p>Properties (or their environment variables):
 *
 * <ul>
 *   <li>{@code file.fsync} ({@code CASQ_FILE_FSYNC}), default {@code true}: force every write to
 *       disk before acknowledging it. {@code false} survives process crashes but not power loss or
 *       a kernel crash.
 * </ul>
 */
public final class LocalFileStoreProvider implements ObjectStoreProvider {
  /** Property: force writes to disk before acknowledging them (default true). */
  public static final String FSYNC = "file.fsync";

  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public StoreLocation open(URI uri, Map<String, String> properties) {
    boolean fsync = StoreProperties.of(properties).getBoolean(FSYNC, true);
    Path object = objectPath(uri);
    Path dir = object.getParent();
    String key = object.getFileName().toString();
    try {
      ObjectKeys.validate(key);
    } catch (IllegalArgumentException e) {
      throw new StoreConfigurationException(
          "bad object name in '" + uri + "': " + e.getMessage(), e);
    }
    if (LocalFileStore.isReserved(key)) {
      throw new StoreConfigurationException(
          "'" + uri + "' names one of the store's own lock or temp files, not an object");
    }
    LocalFileStore store = LocalFileStore.open(dir, fsync);
    Path file = store.root().resolve(key);
    if (Files.isDirectory(file)) {
      throw new StoreConfigurationException(
          file
              + " is a directory; the URI must name the object file, e.g. file://"
              + file
              + "/queue.json");
    }
    return new StoreLocation(store, key);
  }

  /** The absolute path a file URI names, or a clear error. */
  static Path objectPath(URI uri) {
    if (uri.isOpaque()) {
      String relative = uri.getSchemeSpecificPart();
      String absolute;
      try {
        absolute = Path.of(relative).toAbsolutePath().normalize().toUri().toString();
      } catch (InvalidPathException e) {
        absolute = "file:///absolute/path/queue.json";
      }
      throw new StoreConfigurationException(
          "'"
              + uri
              + "' is a relative file URI; a file store needs an absolute path with three"
              + " slashes, e.g. "
              + absolute
              + " (that is "
              + relative
              + " in the current directory)");
    }
    String host = uri.getAuthority();
    if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
      throw new StoreConfigurationException(
          "'"
              + uri
              + "' names host '"
              + host
              + "', but file:// stores are local; "
              + "a local path needs three slashes: file:///"
              + host
              + uri.getPath()
              + " means "
              + "/"
              + host
              + uri.getPath());
    }
    if (uri.getQuery() != null || uri.getFragment() != null) {
      throw new StoreConfigurationException(
          "'"
              + uri
              + "' has a query or fragment; file store options are properties such as "
              + LocalFileStoreProvider.FSYNC
              + " (env CASQ_FILE_FSYNC), not part of the URI");
    }
    String path = uri.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw new StoreConfigurationException(
          "'" + uri + "' names no file; expected e.g. file:///var/lib/casq/queue.json");
    }
    if (path.endsWith("/")) {
      throw new StoreConfigurationException(
          "'"
              + uri
              + "' names a directory; add the object's file name, e.g. "
              + uri
              + "queue.json");
    }
    try {
      Path p = Path.of(path);
      String name = p.getFileName().toString();
      if (name.equals(".") || name.equals("..")) {
        throw new StoreConfigurationException(
            "'" + uri + "' does not end with a file name; expected e.g. file:///tmp/queue.json");
      }
      return p;
    } catch (InvalidPathException e) {
      throw new StoreConfigurationException(
          "'" + uri + "' is not a usable path here: " + e.getMessage(), e);
    }
  }
}
