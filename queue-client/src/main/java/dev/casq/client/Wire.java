package dev.casq.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.casq.core.BrokerRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** JSON of the broker API: request bodies written with a generator, replies read as trees. */
final class Wire {
  /**
   * Reads numbers exactly (decimals as BigDecimal, kept as written), so a payload read back from a
   * reply ({@link #rawJson}) carries the numbers that were pushed, beyond double precision too.
   */
  static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
      .build();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private Wire() {}

  /** Writes one JSON object with the given body writer. */
  static byte[] object(BodyWriter writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      writer.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes the fields of a body. */
  @FunctionalInterface
  interface BodyWriter {
    void write(JsonGenerator g) throws IOException;
  }

  /** Parses a reply body; a body that is not JSON becomes a {@link BrokerErrorException}. */
  static JsonNode parse(int status, byte[] body) {
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n == null || n.isMissingNode()) {
        throw new BrokerErrorException(status, null, "the broker answered " + status
            + " with an empty body");
      }
      return n;
    } catch (IOException e) {
      throw new BrokerErrorException(status, null, "the broker answered " + status
          + " with a body that is not JSON: " + preview(body));
    }
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw missing(field);
    }
    return v.asText();
  }

  static String optText(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  static long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw missing(field);
    }
    return v.asLong();
  }

  static long optNumber(JsonNode n, String field, long dflt) {
    JsonNode v = n.get(field);
    return v == null || !v.isNumber() ? dflt : v.asLong();
  }

  static Instant instant(JsonNode n, String field) {
    String s = text(n, field);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new BrokerErrorException(200, null, "field \"" + field + "\" of the broker's answer is "
          + "not an instant: '" + s + "'");
    }
  }

  static Instant optInstant(JsonNode n, String field) {
    return optText(n, field) == null ? null : instant(n, field);
  }

  /** Raw JSON text of a field, or null when absent / null. */
  static String rawJson(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isMissingNode()) {
      return null;
    }
    try {
      return MAPPER.writeValueAsString(v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A broker record in a reply (stats, 421 bodies); null when absent or incomplete. */
  static BrokerRecord broker(JsonNode n) {
    if (n == null || !n.isObject() || optText(n, "address") == null || optText(n, "id") == null) {
      return null;
    }
    long epoch = optNumber(n, "epoch", 0);
    if (epoch < 1) {
      return null;
    }
    Instant at = optText(n, "heartbeatAt") == null ? Instant.EPOCH : instant(n, "heartbeatAt");
    return new BrokerRecord(text(n, "id"), text(n, "address"), epoch, at);
  }

  /** A duration in the form the broker accepts: milliseconds, e.g. {@code 1500ms}. */
  static String duration(Duration d) {
    return d.toMillis() + "ms";
  }

  static String preview(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 120), java.nio.charset.StandardCharsets.UTF_8);
    return "'" + s.replaceAll("\\p{Cntrl}", " ") + (body.length > 120 ? "...'" : "'");
  }

  private static BrokerErrorException missing(String field) {
    return new BrokerErrorException(200, null,
        "the broker's answer lacks field \"" + field + "\" (client and broker versions differ?)");
  }
}
