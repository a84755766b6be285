package dev.casq.storage.gcs;

import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreProperties;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The configuration of a {@code gs://} store. Each key is read from the properties first, then from
 * its environment variable ({@code gcs.read-timeout} -> {@code CASQ_GCS_READ_TIMEOUT}), then the
 * default; see {@code docs/storage-gcs.md}.
 *
 * @param host the JSON API endpoint, e.g. {@code https://storage.googleapis.com} or an emulator's
 *     {@code http://127.0.0.1:4443}
 * @param hostSource where the host came from (for messages)
 * @param noAuth send no credentials at all (emulators)
 * @param credentialsFile an explicit service-account (or other) key file; empty for Application
 *     Default Credentials
 * @param project the project, used to create buckets and to bill; empty to let the client find it
 * @param connectTimeout TCP connect timeout of each request
 * @param readTimeout socket read timeout of each request
 * @param minWriteInterval advertised minimum interval between writes of one object
 */
public record GcsStoreConfig(
    String host,
    String hostSource,
    boolean noAuth,
    Optional<Path> credentialsFile,
    Optional<String> project,
    Duration connectTimeout,
    Duration readTimeout,
    Duration minWriteInterval) {

  public static final String PROJECT = "gcs.project";
  public static final String CREDENTIALS_FILE = "gcs.credentials-file";
  public static final String HOST = "gcs.host";
  public static final String NO_AUTH = "gcs.no-auth";
  public static final String CONNECT_TIMEOUT = "gcs.connect-timeout";
  public static final String READ_TIMEOUT = "gcs.read-timeout";
  public static final String MIN_WRITE_INTERVAL = "gcs.min-write-interval";

  /** The environment variable emulators conventionally set: {@code host:port} or a URL. */
  public static final String EMULATOR_HOST_VARIABLE = "STORAGE_EMULATOR_HOST";

  public static final String DEFAULT_HOST = "https://storage.googleapis.com";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MIN_WRITE_INTERVAL = Duration.ofSeconds(1);

  /** The project used against an emulator when none is configured. */
  public static final String EMULATOR_PROJECT = "casq-local";

  public GcsStoreConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(hostSource, "hostSource");
    Objects.requireNonNull(credentialsFile, "credentialsFile");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(minWriteInterval, "minWriteInterval");
  }

  /** Reads the configuration from {@code properties} and the process environment. */
  public static GcsStoreConfig from(Map<String, String> properties) {
    return from(properties, System::getenv);
  }

  /**
   * Reads the configuration from {@code properties}, then {@code environment}.
   *
   * @throws StoreConfigurationException naming the key of an invalid or contradictory value
   */
  public static GcsStoreConfig from(
      Map<String, String> properties, Function<String, String> environment) {
    StoreProperties p = new StoreProperties(properties, environment);

    String host;
    String hostSource;
    boolean emulatorDefault;
    Optional<String> explicitHost = p.get(HOST);
    String emulatorHost = environment.apply(EMULATOR_HOST_VARIABLE);
    if (explicitHost.isPresent()) {
      host = normalizeHost(HOST, explicitHost.get(), false);
      hostSource = HOST;
      emulatorDefault = false;
    } else if (emulatorHost != null && !emulatorHost.isBlank()) {
      host = normalizeHost(EMULATOR_HOST_VARIABLE, emulatorHost.trim(), true);
      hostSource = EMULATOR_HOST_VARIABLE;
      emulatorDefault = true;
    } else {
      host = DEFAULT_HOST;
      hostSource = "default";
      emulatorDefault = false;
    }

    boolean noAuth = p.getBoolean(NO_AUTH, emulatorDefault);
    Optional<Path> credentialsFile = p.get(CREDENTIALS_FILE).map(Path::of);
    if (noAuth && credentialsFile.isPresent()) {
      throw new StoreConfigurationException(
          CREDENTIALS_FILE
              + " is set but "
              + NO_AUTH
              + " is true"
              + (emulatorDefault && p.get(NO_AUTH).isEmpty()
                  ? " (implied by " + EMULATOR_HOST_VARIABLE + ")"
                  : "")
              + "; set "
              + NO_AUTH
              + "=false to use the key file, or drop the key file");
    }
    Optional<String> project = p.get(PROJECT);
    if (project.isEmpty() && noAuth) {
      project = Optional.of(EMULATOR_PROJECT);
    }

    Duration connectTimeout =
        positive(CONNECT_TIMEOUT, p.getDuration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
    Duration readTimeout =
        positive(READ_TIMEOUT, p.getDuration(READ_TIMEOUT, DEFAULT_READ_TIMEOUT));
    Duration minWriteInterval = p.getDuration(MIN_WRITE_INTERVAL, DEFAULT_MIN_WRITE_INTERVAL);
    return new GcsStoreConfig(
        host,
        hostSource,
        noAuth,
        credentialsFile,
        project,
        connectTimeout,
        readTimeout,
        minWriteInterval);
  }

  /** Whether this configuration talks to Google itself rather than an emulator or proxy. */
  public boolean isDefaultHost() {
    return host.equals(DEFAULT_HOST);
  }

  private static String normalizeHost(String key, String value, boolean bareHostIsHttp) {
    String v = value.trim();
    if (!v.contains("://")) {
      if (!bareHostIsHttp) {
        throw new StoreConfigurationException(
            "invalid value '"
                + value
                + "' for "
                + key
                + " (env "
                + StoreProperties.environmentName(key)
                + "): expected a URL such as http://127.0.0.1:4443 or https://storage.googleapis.com");
      }
      v = "http://" + v;
    }
    URI uri;
    try {
      uri = new URI(v);
    } catch (URISyntaxException e) {
      throw new StoreConfigurationException(
          "invalid value '" + value + "' for " + describe(key) + ": " + e.getMessage(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new StoreConfigurationException(
          "invalid value '"
              + value
              + "' for "
              + describe(key)
              + ": the scheme must be http or https");
    }
    if (uri.getHost() == null) {
      throw new StoreConfigurationException(
          "invalid value '" + value + "' for " + describe(key) + ": no host name");
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
        || uri.getRawQuery() != null) {
      throw new StoreConfigurationException(
          "invalid value '"
              + value
              + "' for "
              + describe(key)
              + ": give only scheme, host and port (the client adds /storage/v1/...)");
    }
    return scheme + "://" + uri.getRawAuthority();
  }

  private static String describe(String key) {
    return key.equals(EMULATOR_HOST_VARIABLE)
        ? "environment variable " + EMULATOR_HOST_VARIABLE
        : key + " (env " + StoreProperties.environmentName(key) + ")";
  }

  private static Duration positive(String key, Duration d) {
    if (d.isZero()) {
      throw new StoreConfigurationException(
          "invalid value 0 for "
              + key
              + " (env "
              + StoreProperties.environmentName(key)
              + "): a timeout must be positive");
    }
    return d;
  }
}
