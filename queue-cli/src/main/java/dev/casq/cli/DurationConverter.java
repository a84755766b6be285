package dev.casq.cli;

import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreProperties;
import java.time.Duration;
import picocli.CommandLine;

/** Parses {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 3d} or ISO-8601 durations. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return StoreProperties.parseDuration("duration", value);
    } catch (StoreConfigurationException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration; use e.g. 250ms, 5s, 2m, 1h");
    }
  }
}
