package dev.casq.storage;

import java.util.Objects;

/**
 * An opened store together with the key of one object in it: what a URI such as {@code
 * s3://bucket/queues/emails.json} names. The store may hold other objects next to it (archives).
 */
public record StoreLocation(ObjectStore store, String key) implements AutoCloseable {
  public StoreLocation {
    Objects.requireNonNull(store, "store");
    ObjectKeys.validate(key);
  }

  /**
   * A sibling key: {@code emails.json} with suffix {@code .archive/x} gives {@code
   * emails.json.archive/x}.
   */
  public String sibling(String suffix) {
    return key + suffix;
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return store.describe() + " key=" + key;
  }
}
