package dev.casq.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Opens stores by URI, choosing the provider by scheme through {@link ServiceLoader}. */
public final class Stores {
  private Stores() {}

  /** Opens the store for {@code uri} with no extra properties. */
  public static StoreLocation open(String uri) {
    return open(uri, Map.of());
  }

  /** Opens the store for {@code uri}, after parsing it. */
  public static StoreLocation open(String uri, Map<String, String> properties) {
    return open(parse(uri), properties);
  }

  /** Opens the store for {@code uri}. */
  public static StoreLocation open(URI uri, Map<String, String> properties) {
    return open(uri, properties, Thread.currentThread().getContextClassLoader());
  }

  /** Opens the store for {@code uri} with providers found through {@code loader}. */
  public static StoreLocation open(URI uri, Map<String, String> properties, ClassLoader loader) {
    if (uri.getScheme() == null) {
      throw new StoreConfigurationException(
          "store URI '"
              + uri
              + "' has no scheme; expected one of "
              + availableSchemes(loader)
              + ", e.g. file:///tmp/queue.json");
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    ObjectStoreProvider provider = providers(loader).get(scheme);
    if (provider == null) {
      throw new StoreConfigurationException(
          "no store for scheme '"
              + scheme
              + "' in '"
              + uri
              + "'; available schemes: "
              + availableSchemes(loader)
              + " (is the storage module for it on the class path?)");
    }
    return provider.open(uri, properties == null ? Map.of() : properties);
  }

  /** Parses a store URI, with an error a person understands. */
  public static URI parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new StoreConfigurationException(
          "store URI is empty; give one such as file:///tmp/queue.json or s3://bucket/queue.json");
    }
    try {
      return new URI(uri.trim());
    } catch (URISyntaxException e) {
      throw new StoreConfigurationException(
          "malformed store URI '"
              + uri
              + "': "
              + e.getReason()
              + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""),
          e);
    }
  }

  /** The schemes that can be opened, sorted. */
  public static List<String> availableSchemes() {
    return availableSchemes(Thread.currentThread().getContextClassLoader());
  }

  static List<String> availableSchemes(ClassLoader loader) {
    return List.copyOf(providers(loader).keySet());
  }

  /**
   * The providers by scheme.
   *
   * @throws StoreConfigurationException if two providers claim the same scheme
   */
  static Map<String, ObjectStoreProvider> providers(ClassLoader loader) {
    Map<String, ObjectStoreProvider> byScheme = new TreeMap<>();
    for (ObjectStoreProvider provider : ServiceLoader.load(ObjectStoreProvider.class, loader)) {
      for (String s : provider.schemes()) {
        String scheme = s.toLowerCase(Locale.ROOT);
        ObjectStoreProvider previous = byScheme.putIfAbsent(scheme, provider);
        if (previous != null && !previous.getClass().equals(provider.getClass())) {
          throw new StoreConfigurationException(
              "two store providers claim scheme '"
                  + scheme
                  + "': "
                  + previous.getClass().getName()
                  + " and "
                  + provider.getClass().getName()
                  + "; remove one of them from the class path");
        }
      }
    }
    return Collections.unmodifiableMap(byScheme);
  }
}
