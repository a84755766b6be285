package dev.casq.storage.s3;

import dev.casq.storage.ObjectKeys;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreCapabilities;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An {@link ObjectStore} on one S3 bucket, with S3 conditional writes: create is a PutObject with
 * {@code If-None-Match: *}, replace a PutObject with {@code If-Match: <etag>}. The version token is
 * the object's ETag without quotes.
 *
 * <p>ETags of single-part uploads are content hashes on most servers, so writing back the very same
 * bytes gives back the same version token. casq's state object never repeats itself (its revision
 * grows with every commit), so this does not matter to the queue; other users of the store should
 * know it.
 */
public final class S3ObjectStore implements ObjectStore {
  private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);

  /** Java arrays hold a little under 2 GiB; a single S3 PUT takes up to 5 GiB. */
  private static final long MAX_OBJECT_BYTES = Integer.MAX_VALUE - 16L;

  private final String bucket;
  private final S3StoreConfig config;
  private final S3Clients clients;
  private final S3FailureMapper failures;
  private final AtomicBoolean closed = new AtomicBoolean();

  S3ObjectStore(String bucket, S3StoreConfig config, S3Clients clients) {
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.config = Objects.requireNonNull(config, "config");
    this.clients = Objects.requireNonNull(clients, "clients");
    this.failures = new S3FailureMapper(bucket, config.endpointDescription());
  }

  /**
   * Opens a store on {@code bucket}; when {@link S3StoreConfig#verifyBucket()} is set, checks that
   * the bucket exists and the credentials may use it.
   *
   * @throws dev.casq.storage.StoreConfigurationException if the bucket is missing or inaccessible
   * @throws StorageException if the endpoint cannot be reached
   */
  public static S3ObjectStore open(String bucket, S3StoreConfig config) {
    S3Clients clients = S3Clients.create(config);
    S3ObjectStore store = new S3ObjectStore(bucket, config, clients);
    if (config.verifyBucket()) {
      try {
        store.verifyBucket();
      } catch (RuntimeException e) {
        store.close();
        throw e;
      }
    }
    return store;
  }

  /** The bucket this store writes to. */
  public String bucket() {
    return bucket;
  }

  /** The configuration this store was opened with. */
  public S3StoreConfig config() {
    return config;
  }

  void verifyBucket() {
    try {
      clients.retrying().headBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new StoreConfigurationException(
            "bucket '"
                + bucket
                + "' does not exist at "
                + config.endpointDescription()
                + " (HTTP 404 on HeadBucket); create it first, or check the bucket name"
                + (config.endpoint().isPresent() ? " and s3.endpoint" : " and s3.region"),
            e);
      }
      throw asConfigurationError(failures.map(S3Operation.VERIFY_BUCKET, null, e));
    } catch (SdkException e) {
      throw asConfigurationError(failures.map(S3Operation.VERIFY_BUCKET, null, e));
    }
  }

  private static StoreConfigurationException asConfigurationError(StorageException e) {
    return e instanceof StoreConfigurationException c
        ? c
        : new StoreConfigurationException(
            "cannot open the s3:// store: "
                + e.getMessage()
                + " (set s3.verify-bucket=false to open it without this check)",
            e);
  }

  @Override
  public Optional<VersionedBytes> read(String key) {
    ObjectKeys.validate(key);
    try {
      ResponseBytes<GetObjectResponse> r =
          clients.retrying().getObjectAsBytes(b -> b.bucket(bucket).key(key));
      String etag = EtagQuoting.normalise(r.response().eTag());
      if (etag == null) {
        throw new StorageException(
            "read s3://"
                + bucket
                + "/"
                + key
                + ": the server returned no ETag; it cannot be used"
                + " for compare-and-swap");
      }
      return Optional.of(new VersionedBytes(r.asByteArrayUnsafe(), new Version(etag)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404
          && !"NoSuchBucket".equals(S3FailureMapper.errorCode(e).orElse(""))) {
        return Optional.empty();
      }
      throw failures.map(S3Operation.READ, key, e);
    } catch (SdkException e) {
      throw failures.map(S3Operation.READ, key, e);
    }
  }

  @Override
  public Version create(String key, byte[] data) {
    ObjectKeys.validate(key);
    Objects.requireNonNull(data, "data");
    return conditionalPut(S3Operation.CREATE, key, data, b -> b.ifNoneMatch("*"));
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    ObjectKeys.validate(key);
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(expected, "expected");
    String etag = EtagQuoting.normalise(expected.token());
    if (etag == null) {
      throw new IllegalArgumentException("not an s3:// version token: '" + expected + "'");
    }
    String ifMatch = config.etagQuoting().ifMatchValue(etag);
    return conditionalPut(S3Operation.REPLACE, key, data, b -> b.ifMatch(ifMatch));
  }

  @Override
  public Version put(String key, byte[] data) {
    ObjectKeys.validate(key);
    Objects.requireNonNull(data, "data");
    try {
      PutObjectResponse r =
          clients.retrying().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
      return versionOf(S3Operation.PUT, key, r);
    } catch (SdkException e) {
      throw failures.map(S3Operation.PUT, key, e);
    }
  }

  @Override
  public List<String> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    List<String> keys = new ArrayList<>();
    try {
      for (S3Object o :
          clients
              .retrying()
              .listObjectsV2Paginator(
                  b -> {
                    b.bucket(bucket);
                    if (!prefix.isEmpty()) {
                      b.prefix(prefix);
                    }
                  })
              .contents()) {
        keys.add(o.key());
      }
    } catch (SdkException e) {
      throw failures.map(S3Operation.LIST, prefix.isEmpty() ? null : prefix + "*", e);
    }
    // S3 orders by UTF-8 bytes; the contract orders by String.compareTo
    keys.sort(null);
    return keys;
  }

  @Override
  public void delete(String key) {
    ObjectKeys.validate(key);
    try {
      clients.retrying().deleteObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      // already gone
    } catch (SdkException e) {
      throw failures.map(S3Operation.DELETE, key, e);
    }
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(config.minWriteInterval(), true, MAX_OBJECT_BYTES);
  }

  @Override
  public String describe() {
    return "s3://" + bucket + " (" + config.endpointDescription() + ")";
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      clients.close();
    }
  }

  private Version conditionalPut(
      S3Operation op,
      String key,
      byte[] data,
      java.util.function.Consumer<PutObjectRequest.Builder> condition) {
    PutObjectResponse r;
    try {
      r =
          clients
              .singleAttempt()
              .putObject(
                  b -> {
                    b.bucket(bucket).key(key);
                    condition.accept(b);
                  },
                  RequestBody.fromBytes(data));
    } catch (SdkException e) {
      StorageException mapped = failures.map(op, key, e);
      if (mapped instanceof PreconditionFailedException) {
        log.debug("{} lost: {}", op.verb(), mapped.getMessage());
      } else if (mapped instanceof OutcomeUnknownException) {
        log.debug("{} outcome unknown: {}", op.verb(), mapped.getMessage());
      }
      throw mapped;
    }
    return versionOf(op, key, r);
  }

  private Version versionOf(S3Operation op, String key, PutObjectResponse r) {
    String etag = EtagQuoting.normalise(r.eTag());
    if (etag == null) {
      throw new OutcomeUnknownException(
          op.verb()
              + " s3://"
              + bucket
              + "/"
              + key
              + ": the write was acknowledged without an"
              + " ETag, so its version is unknown; re-read the object");
    }
    return new Version(etag);
  }
}
