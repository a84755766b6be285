package dev.casq.storage;

import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Opens stores for one or more URI schemes. Implementations are found with {@link
 * java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/dev.casq.storage.ObjectStoreProvider}.
 */
public interface ObjectStoreProvider {

  /** The URI schemes this provider handles, lower case, e.g. {@code s3}. */
  Set<String> schemes();

  /**
   * Opens the store that holds the object named by {@code uri}.
   *
   * @param uri an absolute URI with one of {@link #schemes()}
   * @param properties configuration (documented per provider); unknown keys are ignored, invalid
   *     values rejected
   * @throws StoreConfigurationException if the URI or a property is invalid, or the store cannot be
   *     reached as configured
   */
  StoreLocation open(URI uri, Map<String, String> properties);
}
