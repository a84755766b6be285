package dev.casq.storage;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Configuration of a store, looked up by documented keys such as {@code s3.endpoint}. A key is
 * taken from the explicit properties first, then from the environment variable derived from it
 * ({@code s3.endpoint} -> {@code CASQ_S3_ENDPOINT}: upper case, '.' and '-' become '_'), then the
 * default. Invalid values fail eagerly with a message that names the key.
 */
public final class StoreProperties {
  private final Map<String, String> properties;
  private final Function<String, String> environment;

  public StoreProperties(Map<String, String> properties, Function<String, String> environment) {
    this.properties = Map.copyOf(properties);
    this.environment = environment;
  }

  /** Properties backed by the process environment. */
  public static StoreProperties of(Map<String, String> properties) {
    return new StoreProperties(properties, System::getenv);
  }

  /** The environment variable consulted for {@code key}. */
  public static String environmentName(String key) {
    return "CASQ_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public Optional<String> get(String key) {
    String v = properties.get(key);
    if (v == null) {
      v = environment.apply(environmentName(key));
    }
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  public String get(String key, String defaultValue) {
    return get(key).orElse(defaultValue);
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    Optional<String> v = get(key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    switch (v.get().toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "1":
        return true;
      case "false":
      case "no":
      case "0":
        return false;
      default:
        throw invalid(key, v.get(), "true or false");
    }
  }

  public int getInt(String key, int defaultValue, int min, int max) {
    Optional<String> v = get(key);
    if (v.isEmpty()) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(v.get());
      if (n < min || n > max) {
        throw invalid(key, v.get(), "a whole number from " + min + " to " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw invalid(key, v.get(), "a whole number from " + min + " to " + max);
    }
  }

  /** A duration such as {@code 250ms}, {@code 5s}, {@code 2m} or ISO-8601 {@code PT5S}. */
  public Duration getDuration(String key, Duration defaultValue) {
    Optional<String> v = get(key);
    return v.isEmpty() ? defaultValue : parseDuration(key, v.get());
  }

  /** Parses {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 3d} or ISO-8601. */
  public static Duration parseDuration(String key, String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    try {
      if (s.startsWith("p") || s.startsWith("-p")) {
        return nonNegative(key, text, Duration.parse(text.trim()));
      }
      if (s.endsWith("ms")) {
        return nonNegative(
            key, text, Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2))));
      }
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      switch (s.charAt(s.length() - 1)) {
        case 's':
          return nonNegative(key, text, Duration.ofSeconds(n));
        case 'm':
          return nonNegative(key, text, Duration.ofMinutes(n));
        case 'h':
          return nonNegative(key, text, Duration.ofHours(n));
        case 'd':
          return nonNegative(key, text, Duration.ofDays(n));
        default:
          throw invalid(key, text, "a duration such as 250ms, 5s, 2m, 1h");
      }
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      throw invalid(key, text, "a duration such as 250ms, 5s, 2m, 1h");
    }
  }

  private static Duration nonNegative(String key, String text, Duration d) {
    if (d.isNegative()) {
      throw invalid(key, text, "a duration that is not negative");
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
            + environmentName(key)
            + "): expected "
            + expected);
  }
}
