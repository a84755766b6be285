package dev.casq.cli;

import java.util.Arrays;
import java.util.List;

/**
 * Sets up the log binding (slf4j-simple, on stderr) before the first logger exists: warnings only
 * for one-shot commands, progress for long-running ones ({@code broker}, {@code work}), everything
 * with {@code --verbose}.
 */
final class Logging {
  private static final String PREFIX = "org.slf4j.simpleLogger.";

  private Logging() {}

  static void configure(String[] args) {
    List<String> a = Arrays.asList(args);
    String level = "warn";
    if (a.contains("broker") || a.contains("work")) {
      level = "info";
    }
    if (a.contains("--verbose") || a.contains("-v")) {
      level = "debug";
    }
    setIfAbsent("defaultLogLevel", "warn");
    setIfAbsent("log.dev.casq", level);
    setIfAbsent("showDateTime", "true");
    setIfAbsent("dateTimeFormat", "HH:mm:ss.SSS");
    setIfAbsent("showThreadName", "false");
    setIfAbsent("showShortLogName", "true");
    setIfAbsent("logFile", "System.err");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(PREFIX + key) == null) {
      System.setProperty(PREFIX + key, value);
    }
  }
}
