package dev.casq.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.CorruptStateException;
import dev.casq.api.QueueException;
import dev.casq.api.Schedule;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;

/**
 * The {@code "schedules"} field of a queue object: one object per schedule, by name. The payload is
 * kept as a JSON string holding the payload's text, so it comes back byte for byte.
 */
final class ScheduleCodec {
  private ScheduleCodec() {}

  static void write(JsonGenerator g, Collection<ScheduleEntry> entries) throws IOException {
    g.writeFieldName("schedules");
    g.writeStartArray();
    for (ScheduleEntry e : entries) {
      Schedule d = e.schedule();
      g.writeStartObject();
      g.writeStringField("name", d.name());
      if (d.cron() != null) {
        g.writeStringField("cron", d.cron());
        g.writeStringField("zone", d.zone().getId());
      } else {
        g.writeNumberField("everyMs", d.every().toMillis());
      }
      g.writeStringField("payload", d.payloadJson());
      if (d.type() != null) {
        g.writeStringField("type", d.type());
      }
      g.writeNumberField("priority", d.priority());
      if (d.maxAttempts() != null) {
        g.writeNumberField("maxAttempts", d.maxAttempts());
      }
      g.writeStringField("misfire", d.misfire().name());
      g.writeStringField("createdAt", e.createdAt().toString());
      writeInstant(g, "nextFireAt", e.nextFireAt());
      writeInstant(g, "lastFireAt", e.lastFireAt());
      if (e.lastJobId() != null) {
        g.writeStringField("lastJobId", e.lastJobId());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  static ScheduleEntry read(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new CorruptStateException("a schedule is not an object");
    }
    String name = text(n, "name");
    try {
      Schedule d =
          new Schedule(
              name,
              optText(n, "cron"),
              n.hasNonNull("everyMs") ? Duration.ofMillis(n.get("everyMs").asLong()) : null,
              n.hasNonNull("zone") ? ZoneId.of(text(n, "zone")) : null,
              text(n, "payload"),
              optText(n, "type"),
              n.path("priority").asInt(0),
              n.hasNonNull("maxAttempts") ? n.get("maxAttempts").asInt() : null,
              Schedule.Misfire.valueOf(text(n, "misfire")));
      return new ScheduleEntry(
          d,
          Instant.parse(text(n, "createdAt")),
          optInstant(n, "nextFireAt"),
          optInstant(n, "lastFireAt"),
          optText(n, "lastJobId"),
          FireTimes.of(d));
    } catch (QueueException | java.time.DateTimeException | IllegalArgumentException e) {
      throw new CorruptStateException("schedule " + name + " is damaged: " + e.getMessage(), e);
    }
  }

  private static void writeInstant(JsonGenerator g, String field, Instant at) throws IOException {
    if (at != null) {
      g.writeStringField(field, at.toString());
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new CorruptStateException("a schedule has no text field \"" + field + "\"");
    }
    return v.asText();
  }

  private static String optText(JsonNode n, String field) {
    return n.hasNonNull(field) ? text(n, field) : null;
  }

  private static Instant optInstant(JsonNode n, String field) {
    return n.hasNonNull(field) ? Instant.parse(text(n, field)) : null;
  }
}
