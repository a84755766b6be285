package dev.casq.storage.s3;

import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreProperties;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The configuration of an {@code s3://} store, validated. Built from {@link StoreProperties}: each
 * key is read from the explicit properties first, then from its environment variable ({@code
 * s3.endpoint} -> {@code CASQ_S3_ENDPOINT}), then the default. docs/storage-s3.md documents every
 * key.
 *
 * @param region the signing region
 * @param endpoint the endpoint override (empty: AWS S3's endpoint for the region)
 * @param pathStyle whether the bucket goes in the path ({@code http://host/bucket/key}) instead of
 *     the host name
 * @param credentials static keys, or empty for the SDK's default credentials provider chain
 * @param apiCallTimeout the limit on one operation including retries
 * @param apiCallAttemptTimeout the limit on one HTTP attempt
 * @param maxRetries retries of reads, lists, deletes and unconditional writes (conditional writes
 *     are never retried)
 * @param etagQuoting how the ETag is written into {@code If-Match}
 * @param checksums when the SDK computes and validates flexible checksums
 * @param minWriteInterval the smallest interval between two writes of one object the store
 *     advertises (for services with a per-object write rate limit)
 * @param maxConnections the size of the HTTP connection pool
 * @param verifyBucket whether opening the store checks that the bucket exists and is accessible
 */
public record S3StoreConfig(
    String region,
    Optional<URI> endpoint,
    boolean pathStyle,
    Optional<StaticCredentials> credentials,
    Duration apiCallTimeout,
    Duration apiCallAttemptTimeout,
    int maxRetries,
    EtagQuoting etagQuoting,
    ChecksumMode checksums,
    Duration minWriteInterval,
    int maxConnections,
    boolean verifyBucket) {

  public static final String REGION = "s3.region";
  public static final String ENDPOINT = "s3.endpoint";
  public static final String PATH_STYLE = "s3.path-style";
  public static final String ACCESS_KEY = "s3.access-key";
  public static final String SECRET_KEY = "s3.secret-key";
  public static final String SESSION_TOKEN = "s3.session-token";
  public static final String API_CALL_TIMEOUT = "s3.api-call-timeout";
  public static final String API_CALL_ATTEMPT_TIMEOUT = "s3.api-call-attempt-timeout";
  public static final String MAX_RETRIES = "s3.max-retries";
  public static final String ETAG_QUOTING = "s3.etag-quoting";
  public static final String CHECKSUMS = "s3.checksums";
  public static final String MIN_WRITE_INTERVAL = "s3.min-write-interval";
  public static final String MAX_CONNECTIONS = "s3.max-connections";
  public static final String VERIFY_BUCKET = "s3.verify-bucket";

  /** The region used when an endpoint is set and no region is configured anywhere. */
  public static final String FALLBACK_REGION = "us-east-1";

  static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(30);
  static final Duration DEFAULT_API_CALL_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
  static final int DEFAULT_MAX_RETRIES = 3;
  static final int DEFAULT_MAX_CONNECTIONS = 64;

  private static final Pattern REGION_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** Static S3 keys. {@link #toString()} never shows the secret nor the session token. */
  public record StaticCredentials(
      String accessKey, String secretKey, Optional<String> sessionToken) {
    public StaticCredentials {
      Objects.requireNonNull(accessKey, "accessKey");
      Objects.requireNonNull(secretKey, "secretKey");
      Objects.requireNonNull(sessionToken, "sessionToken");
    }

    @Override
    public String toString() {
      return "StaticCredentials[accessKey="
          + accessKey
          + ", secretKey=***"
          + (sessionToken.isPresent() ? ", sessionToken=***" : "")
          + "]";
    }
  }

  public S3StoreConfig {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(apiCallTimeout, "apiCallTimeout");
    Objects.requireNonNull(apiCallAttemptTimeout, "apiCallAttemptTimeout");
    Objects.requireNonNull(etagQuoting, "etagQuoting");
    Objects.requireNonNull(checksums, "checksums");
    Objects.requireNonNull(minWriteInterval, "minWriteInterval");
  }

  /** Finds a region outside casq's properties when {@code s3.region} is not set. */
  @FunctionalInterface
  public interface RegionLookup {
    /**
     * The region, if one is configured.
     *
     * @param endpointSet whether {@code s3.endpoint} is set (then instance metadata, which only
     *     exists on AWS, must not be asked)
     */
    Optional<String> region(boolean endpointSet);
  }

  /** Reads and validates the configuration, with the SDK's region chain as fallback. */
  public static S3StoreConfig from(StoreProperties properties) {
    return from(properties, SdkDefaults::region);
  }

  /**
   * Reads and validates the configuration.
   *
   * @param sdkRegion consulted only when {@code s3.region} is not set
   * @throws StoreConfigurationException naming the key and what was expected
   */
  public static S3StoreConfig from(StoreProperties properties, RegionLookup sdkRegion) {
    Optional<URI> endpoint = properties.get(ENDPOINT).map(S3StoreConfig::parseEndpoint);

    String region = properties.get(REGION).orElse(null);
    if (region == null) {
      region = sdkRegion.region(endpoint.isPresent()).orElse(null);
    }
    if (region == null) {
      if (endpoint.isEmpty()) {
        throw new StoreConfigurationException(
            "no region for the s3:// store: set "
                + REGION
                + " (env "
                + StoreProperties.environmentName(REGION)
                + ") or AWS_REGION, or configure a region in the AWS profile");
      }
      region = FALLBACK_REGION;
    }
    region = region.trim();
    if (!REGION_NAME.matcher(region).matches()) {
      throw invalid(REGION, region, "a region name such as eu-west-1, us-east-1 or auto");
    }

    boolean pathStyle = properties.getBoolean(PATH_STYLE, endpoint.isPresent());

    Optional<String> accessKey = properties.get(ACCESS_KEY);
    Optional<String> secretKey = properties.get(SECRET_KEY);
    Optional<String> sessionToken = properties.get(SESSION_TOKEN);
    if (accessKey.isPresent() != secretKey.isPresent()) {
      String given = accessKey.isPresent() ? ACCESS_KEY : SECRET_KEY;
      String missing = accessKey.isPresent() ? SECRET_KEY : ACCESS_KEY;
      throw new StoreConfigurationException(
          given
              + " is set but "
              + missing
              + " (env "
              + StoreProperties.environmentName(missing)
              + ") is not: give both, or neither to use the default AWS credentials chain");
    }
    if (sessionToken.isPresent() && accessKey.isEmpty()) {
      throw new StoreConfigurationException(
          SESSION_TOKEN + " is set without " + ACCESS_KEY + " and " + SECRET_KEY);
    }
    Optional<StaticCredentials> credentials =
        accessKey.map(a -> new StaticCredentials(a, secretKey.get(), sessionToken));

    Duration apiCallTimeout = positive(properties, API_CALL_TIMEOUT, DEFAULT_API_CALL_TIMEOUT);
    Duration attemptTimeout =
        positive(properties, API_CALL_ATTEMPT_TIMEOUT, DEFAULT_API_CALL_ATTEMPT_TIMEOUT);
    if (attemptTimeout.compareTo(apiCallTimeout) > 0) {
      throw new StoreConfigurationException(
          API_CALL_ATTEMPT_TIMEOUT
              + " ("
              + attemptTimeout
              + ") must not exceed "
              + API_CALL_TIMEOUT
              + " ("
              + apiCallTimeout
              + ")");
    }
    int maxRetries = properties.getInt(MAX_RETRIES, DEFAULT_MAX_RETRIES, 0, 20);

    EtagQuoting quoting = EtagQuoting.AUTO;
    Optional<String> quotingText = properties.get(ETAG_QUOTING);
    if (quotingText.isPresent()) {
      quoting = EtagQuoting.parse(quotingText.get());
      if (quoting == null) {
        throw invalid(ETAG_QUOTING, quotingText.get(), "auto, quoted or unquoted");
      }
    }

    ChecksumMode checksums =
        endpoint.isPresent() ? ChecksumMode.WHEN_REQUIRED : ChecksumMode.WHEN_SUPPORTED;
    Optional<String> checksumText = properties.get(CHECKSUMS);
    if (checksumText.isPresent()) {
      checksums = ChecksumMode.parse(checksumText.get());
      if (checksums == null) {
        throw invalid(CHECKSUMS, checksumText.get(), "when-required or when-supported");
      }
    }

    Duration minWriteInterval = properties.getDuration(MIN_WRITE_INTERVAL, Duration.ZERO);
    int maxConnections = properties.getInt(MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, 1, 10_000);
    boolean verifyBucket = properties.getBoolean(VERIFY_BUCKET, true);

    return new S3StoreConfig(
        region,
        endpoint,
        pathStyle,
        credentials,
        apiCallTimeout,
        attemptTimeout,
        maxRetries,
        quoting,
        checksums,
        minWriteInterval,
        maxConnections,
        verifyBucket);
  }

  /** Where requests go, for messages: the endpoint, or AWS S3 in the region. */
  public String endpointDescription() {
    return endpoint.map(URI::toString).orElse("AWS S3 " + region);
  }

  static URI parseEndpoint(String text) {
    String expected = "an absolute http:// or https:// URL such as http://127.0.0.1:7480";
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw invalid(ENDPOINT, text, expected);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw invalid(ENDPOINT, text, expected);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw invalid(ENDPOINT, text, expected + ", without user info, query or fragment");
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      throw invalid(
          ENDPOINT, text, expected + ", without a path (the bucket goes in the s3:// URI)");
    }
    try {
      return new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw invalid(ENDPOINT, text, expected);
    }
  }

  private static Duration positive(StoreProperties properties, String key, Duration defaultValue) {
    Duration d = properties.getDuration(key, defaultValue);
    if (d.isZero()) {
      throw invalid(key, properties.get(key).orElse("0"), "a positive duration such as 10s");
    }
    return d;
  }

  private static StoreConfigurationException invalid(String key, String value, String expected) {
    return new StoreConfigurationException(
        "invalid value '"
            + value
            + "' for "
            + key
            + " (env "
            + StoreProperties.environmentName(key)
            + "): expected "
            + expected);
  }
}
