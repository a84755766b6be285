package dev.casq.core.internal;

import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Logs each distinct error once while a failure lasts (a storage outage must not write thousands of
 * identical lines a second); a success starts afresh.
 */
final class ErrorLog {
  private static final int MAX_REMEMBERED = 64;

  private final Logger log;
  private final String subject;
  private final Set<String> seen = new HashSet<>();

  ErrorLog(Logger log, String subject) {
    this.log = log;
    this.subject = subject;
  }

  /** Logs {@code message} with the error unless the same kind of error was logged already. */
  synchronized void warn(String message, Throwable error) {
    String kind = error.getClass().getName() + ": " + error.getMessage();
    if (seen.size() < MAX_REMEMBERED && seen.add(kind)) {
      log.warn("{}: {}: {} (logged once until it recovers)", subject, message, error.toString());
    } else {
      log.debug("{}: {}: {}", subject, message, error.toString());
    }
  }

  synchronized void recovered() {
    if (!seen.isEmpty()) {
      seen.clear();
      log.info("{} recovered", subject);
    }
  }
}
