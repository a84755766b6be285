package dev.casq.storage.gcs;

import com.google.api.gax.paging.Page;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobListOption;
import com.google.cloud.storage.Storage.BlobTargetOption;
import dev.casq.storage.ObjectKeys;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreCapabilities;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} on one Google Cloud Storage bucket, through the official client's JSON
 * API. The version token is the object generation.
 *
 * <ul>
 *   <li>create: upload with {@code ifGenerationMatch=0} (must not exist);
 *   <li>replace: upload with {@code ifGenerationMatch=<expected generation>};
 *   <li>read: object metadata (generation G), then the bytes of exactly generation G; if G was
 *       replaced in between, both are read again, so bytes and version always agree;
 *   <li>412 is a lost race, 429 back-pressure (nothing written), 5xx / timeouts / resets after
 *       sending an unknown outcome. Writes are never retried by the client (see {@link
 *       GcsClients}).
 * </ul>
 */
public final class GcsObjectStore implements ObjectStore {
  private static final Logger LOG = LoggerFactory.getLogger(GcsObjectStore.class);

  /** Reads give up after the object changed this many times between metadata and bytes. */
  static final int MAX_READ_ATTEMPTS = 50;

  /** GCS's largest object is 5 TiB, but casq holds whole objects in one byte array. */
  private static final long MAX_OBJECT_BYTES = Integer.MAX_VALUE - 16;

  private final String bucket;
  private final GcsStoreConfig config;
  private final GcsClients clients;

  GcsObjectStore(String bucket, GcsStoreConfig config, GcsClients clients) {
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.config = Objects.requireNonNull(config, "config");
    this.clients = Objects.requireNonNull(clients, "clients");
  }

  /**
   * Opens a store on {@code bucket} and checks that the bucket exists and can be listed.
   *
   * @throws StoreConfigurationException if the bucket is missing, access is denied, or GCS cannot
   *     be reached as configured
   */
  public static GcsObjectStore open(String bucket, GcsStoreConfig config) {
    if (!GcsUri.validBucketName(bucket)) {
      throw new StoreConfigurationException("'" + bucket + "' is not a valid GCS bucket name");
    }
    GcsClients clients = GcsClients.create(config);
    GcsObjectStore store = new GcsObjectStore(bucket, config, clients);
    try {
      store.checkBucket();
    } catch (RuntimeException e) {
      clients.close();
      throw e;
    }
    return store;
  }

  /** One attempt (no client retries), so that a wrong host fails fast at open. */
  private void checkBucket() {
    try {
      clients.writes().list(bucket, BlobListOption.pageSize(1), BlobListOption.currentDirectory());
    } catch (com.google.cloud.storage.StorageException e) {
      StorageException mapped = GcsErrors.forRead(describe(), e);
      if (mapped instanceof StoreConfigurationException) {
        throw mapped;
      }
      throw new StoreConfigurationException(
          "cannot reach GCS at "
              + config.host()
              + " (from "
              + config.hostSource()
              + ") for "
              + describe()
              + ": "
              + mapped.getMessage(),
          e);
    }
  }

  @Override
  public Optional<VersionedBytes> read(String key) {
    ObjectKeys.validate(key);
    for (int attempt = 1; ; attempt++) {
      Blob blob;
      try {
        blob = clients.reads().get(BlobId.of(bucket, key));
      } catch (com.google.cloud.storage.StorageException e) {
        throw GcsErrors.forRead(target(key), e);
      }
      if (blob == null) {
        return Optional.empty();
      }
      long generation = blob.getGeneration();
      try {
        byte[] data = clients.reads().readAllBytes(BlobId.of(bucket, key, generation));
        return Optional.of(new VersionedBytes(data, version(generation)));
      } catch (com.google.cloud.storage.StorageException e) {
        if (e.getCode() != 404) {
          throw GcsErrors.forRead(target(key), e);
        }
        if (attempt >= MAX_READ_ATTEMPTS) {
          throw new StorageException(
              "object "
                  + target(key)
                  + " changed "
                  + attempt
                  + " times while being read; try again",
              e);
        }
        LOG.debug(
            "{} generation {} replaced while reading; reading again", target(key), generation);
      }
    }
  }

  @Override
  public Version create(String key, byte[] data) {
    ObjectKeys.validate(key);
    BlobInfo info =
        BlobInfo.newBuilder(BlobId.of(bucket, key)).setContentType(contentType(key)).build();
    return write(key, info, data, BlobTargetOption.doesNotExist());
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    ObjectKeys.validate(key);
    long generation = parse(expected);
    BlobInfo info =
        BlobInfo.newBuilder(BlobId.of(bucket, key, generation))
            .setContentType(contentType(key))
            .build();
    return write(key, info, data, BlobTargetOption.generationMatch());
  }

  @Override
  public Version put(String key, byte[] data) {
    ObjectKeys.validate(key);
    BlobInfo info =
        BlobInfo.newBuilder(BlobId.of(bucket, key)).setContentType(contentType(key)).build();
    return write(key, info, data);
  }

  private Version write(String key, BlobInfo info, byte[] data, BlobTargetOption... options) {
    Objects.requireNonNull(data, "data");
    Blob written;
    try {
      // The client copies nothing it keeps: the bytes are sent and then dropped.
      written = clients.writes().create(info, data, options);
    } catch (com.google.cloud.storage.StorageException e) {
      StorageException mapped = GcsErrors.forWrite(target(key), e, retryAfter());
      if (mapped instanceof dev.casq.storage.PreconditionFailedException) {
        LOG.debug("lost a conditional write of {}: {}", target(key), e.getMessage());
      }
      throw mapped;
    } catch (RuntimeException e) {
      throw new OutcomeUnknownException(
          "outcome of the write of " + target(key) + " is unknown: " + e, e);
    }
    if (written == null || written.getGeneration() == null) {
      throw new OutcomeUnknownException(
          "GCS answered the write of " + target(key) + " without a generation");
    }
    return version(written.getGeneration());
  }

  @Override
  public List<String> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    List<String> keys = new ArrayList<>();
    try {
      Page<Blob> page =
          clients
              .reads()
              .list(
                  bucket,
                  BlobListOption.prefix(prefix),
                  BlobListOption.fields(Storage.BlobField.NAME));
      for (Blob blob : page.iterateAll()) {
        keys.add(blob.getName());
      }
    } catch (com.google.cloud.storage.StorageException e) {
      throw GcsErrors.forRead("gs://" + bucket + "/" + prefix + "*", e);
    }
    // GCS lists in UTF-8 byte order; the contract promises Java String order.
    keys.sort(null);
    return keys;
  }

  @Override
  public void delete(String key) {
    ObjectKeys.validate(key);
    try {
      clients.reads().delete(BlobId.of(bucket, key));
    } catch (com.google.cloud.storage.StorageException e) {
      throw GcsErrors.forRead(target(key), e);
    }
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(config.minWriteInterval(), true, MAX_OBJECT_BYTES);
  }

  @Override
  public String describe() {
    return "gs://" + bucket + (config.isDefaultHost() ? "" : " at " + config.host());
  }

  @Override
  public void close() {
    clients.close();
  }

  /** The configuration this store was opened with. */
  public GcsStoreConfig config() {
    return config;
  }

  private java.time.Duration retryAfter() {
    return config.minWriteInterval().isZero()
        ? GcsStoreConfig.DEFAULT_MIN_WRITE_INTERVAL
        : config.minWriteInterval();
  }

  private String target(String key) {
    return "gs://" + bucket + "/" + key;
  }

  private static String contentType(String key) {
    return key.endsWith(".json") ? "application/json" : "application/octet-stream";
  }

  private static Version version(long generation) {
    return new Version(Long.toString(generation));
  }

  private static long parse(Version expected) {
    Objects.requireNonNull(expected, "expected");
    try {
      long g = Long.parseLong(expected.token());
      if (g <= 0) {
        throw new NumberFormatException("not positive");
      }
      return g;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "not a gs:// version token (a GCS generation): " + expected, e);
    }
  }
}
