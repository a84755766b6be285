package dev.casq.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.casq.api.PushOptions;
import dev.casq.client.JsonPush;
import dev.casq.core.QueuePolicy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One line of a {@code casq push --file} file: either a job's payload (any JSON value) or a push
 * request, an object with a {@code payload} field and nothing but the push fields ({@code key},
 * {@code priority}, {@code delay}, {@code runAt}, {@code type}, {@code maxAttempts}). Payloads are
 * kept as written (numbers, key order). A line's own fields win over the command's options.
 */
final class PushLine {
  /** How the lines of a file are read. */
  enum Format {
    /** A request object where a line is one (see the class comment), else a payload. */
    auto,
    /** Every line is a payload, even one that looks like a push request. */
    payload,
    /** Every line must be a push request object. */
    request
  }

  /** The fields a push request line may have. */
  static final Set<String> REQUEST_FIELDS =
      Set.of("payload", "key", "priority", "delay", "runAt", "type", "maxAttempts");

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(QueuePolicy.MAX_PAYLOAD_DEPTH)
                  .maxNumberLength(QueuePolicy.MAX_PAYLOAD_NUMBER_LENGTH)
                  .maxNameLength(QueuePolicy.MAX_PAYLOAD_NAME_LENGTH)
                  .build())
          .build();

  /** A line that cannot be pushed; the message names what is wrong (not the line number). */
  static final class BadLine extends Exception {
    private static final long serialVersionUID = 1L;

    BadLine(String message) {
      super(message, null, false, false);
    }
  }

  private PushLine() {}

  /**
   * Reads one non-blank line.
   *
   * @param text the line, without its line break
   * @param format how to read it
   * @param defaults the command's options, used where the line gives none
   * @return the job to push
   * @throws BadLine when the line is not one JSON value or not a valid push request
   */
  static JsonPush parse(String text, Format format, PushOptions defaults) throws BadLine {
    String line = text.strip();
    Map<String, String> fields = new HashMap<>();
    boolean object;
    try (JsonParser p = JSON.createParser(line)) {
      JsonToken first = p.nextToken();
      object = first == JsonToken.START_OBJECT;
      if (object) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken value = p.nextToken();
          int start = (int) p.currentTokenLocation().getCharOffset();
          if (value.isStructStart()) {
            p.skipChildren();
          } else {
            p.finishToken();
          }
          int end = (int) p.currentLocation().getCharOffset();
          if (fields.put(name, line.substring(start, end)) != null) {
            throw new BadLine("field \"" + name + "\" appears twice");
          }
        }
      } else {
        p.skipChildren();
      }
      if (p.nextToken() != null) {
        throw new BadLine("more than one JSON value on the line (one job per line)");
      }
    } catch (IOException e) {
      throw new BadLine("not valid JSON: " + firstLine(e.getMessage()));
    }
    boolean request =
        object && fields.containsKey("payload") && REQUEST_FIELDS.containsAll(fields.keySet());
    if (format == Format.request && !request) {
      throw new BadLine(
          !object
              ? "not a push request object ({\"payload\": ...})"
              : !fields.containsKey("payload")
                  ? "a push request needs \"payload\""
                  : "a push request has only the fields "
                      + String.join(", ", sorted())
                      + "; found "
                      + String.join(", ", unknown(fields)));
    }
    if (format == Format.payload || !request) {
      return new JsonPush(line, defaults);
    }
    return new JsonPush(fields.get("payload"), options(fields, defaults));
  }

  private static PushOptions options(Map<String, String> f, PushOptions d) throws BadLine {
    PushOptions o = d;
    if (f.containsKey("key")) {
      String key = text(f, "key", QueuePolicy.MAX_KEY_LENGTH);
      if (key.isBlank()) {
        throw new BadLine("\"key\" must not be blank");
      }
      o = o.key(key);
    }
    if (f.containsKey("priority")) {
      int p = integer(f, "priority");
      if (Math.abs((long) p) > QueuePolicy.MAX_PRIORITY) {
        throw new BadLine(
            "\"priority\" must be from -"
                + QueuePolicy.MAX_PRIORITY
                + " to "
                + QueuePolicy.MAX_PRIORITY
                + ", got "
                + p);
      }
      o = o.priority(p);
    }
    if (f.containsKey("delay") && f.containsKey("runAt")) {
      throw new BadLine("give \"delay\" or \"runAt\", not both");
    }
    if (f.containsKey("delay")) {
      String s = text(f, "delay", 64);
      Duration delay;
      try {
        delay = new DurationConverter().convert(s);
      } catch (RuntimeException e) {
        throw new BadLine("\"delay\" '" + s + "' is not a duration such as 30s, 5m or PT5S");
      }
      if (delay.isNegative() || delay.compareTo(QueuePolicy.MAX_SCHEDULE_AHEAD) > 0) {
        throw new BadLine("\"delay\" must be from 0 to 36500 days, got " + s);
      }
      o = new PushOptions(o.idempotencyKey(), o.priority(), delay, null, o.type(), o.maxAttempts());
    }
    if (f.containsKey("runAt")) {
      String s = text(f, "runAt", 64);
      Instant at;
      try {
        at = Instant.parse(s);
      } catch (DateTimeParseException e) {
        throw new BadLine(
            "\"runAt\" '" + s + "' is not an ISO-8601 instant such as" + " 2030-01-01T00:00:00Z");
      }
      o = new PushOptions(o.idempotencyKey(), o.priority(), null, at, o.type(), o.maxAttempts());
    }
    if (f.containsKey("type")) {
      o = o.type(text(f, "type", QueuePolicy.MAX_TYPE_LENGTH));
    }
    if (f.containsKey("maxAttempts")) {
      int n = integer(f, "maxAttempts");
      if (n < 1 || n > QueuePolicy.MAX_ATTEMPTS) {
        throw new BadLine(
            "\"maxAttempts\" must be from 1 to " + QueuePolicy.MAX_ATTEMPTS + ", got " + n);
      }
      o = o.maxAttempts(n);
    }
    return o;
  }

  private static String text(Map<String, String> f, String name, int maxChars) throws BadLine {
    String raw = f.get(name);
    String value;
    try (JsonParser p = JSON.createParser(raw)) {
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw new BadLine("\"" + name + "\" must be a string, got " + raw);
      }
      value = p.getText();
    } catch (IOException e) {
      throw new BadLine("\"" + name + "\" is not a valid string");
    }
    if (value.length() > maxChars) {
      throw new BadLine("\"" + name + "\" is longer than " + maxChars + " characters");
    }
    return value;
  }

  private static int integer(Map<String, String> f, String name) throws BadLine {
    String raw = f.get(name);
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw new BadLine("\"" + name + "\" must be an integer, got " + raw);
    }
  }

  private static java.util.List<String> sorted() {
    return REQUEST_FIELDS.stream().sorted().toList();
  }

  private static java.util.List<String> unknown(Map<String, String> fields) {
    return fields.keySet().stream().filter(k -> !REQUEST_FIELDS.contains(k)).sorted().toList();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
