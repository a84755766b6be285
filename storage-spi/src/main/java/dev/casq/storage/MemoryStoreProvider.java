package dev.casq.storage;

import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * {@code mem://NAME/path/to/object.json}: an in-memory store shared by every user of NAME in this
 * JVM. No properties.
 */
public final class MemoryStoreProvider implements ObjectStoreProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("mem");
  }

  @Override
  public StoreLocation open(URI uri, Map<String, String> properties) {
    String name = uri.getAuthority();
    String path = uri.getPath();
    if (name == null || name.isEmpty() || path == null || path.length() <= 1) {
      throw new StoreConfigurationException(
          "mem:// URI must name a store and an object, e.g. mem://test/queue.json; got '"
              + uri
              + "'");
    }
    String key = path.substring(1);
    try {
      ObjectKeys.validate(key);
    } catch (IllegalArgumentException e) {
      throw new StoreConfigurationException(
          "bad object key in '" + uri + "': " + e.getMessage(), e);
    }
    return new StoreLocation(MemoryObjectStore.named(name), key);
  }
}
