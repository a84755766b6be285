package dev.casq.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.casq.api.Schedule;
import dev.casq.api.ScheduleInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recurring schedules on the wire: the body of {@code PUT /v1/queues/{q}/schedules/{name}} (read by
 * {@link WireReader#readSchedule}), a schedule as the broker answers it, and the list of a queue's
 * schedules. Payloads travel as raw JSON and come back byte for byte.
 */
public final class ScheduleWire {
  private ScheduleWire() {}

  private static final JsonFactory JSON = new JsonFactory();

  /** Fields of a schedule in a reply. */
  public static final java.util.Set<String> VIEW_FIELDS =
      java.util.Set.of(
          "name",
          "cron",
          "zone",
          "every",
          "payload",
          "type",
          "priority",
          "maxAttempts",
          "misfire",
          "nextFireAt",
          "lastFireAt",
          "lastJobId",
          "createdAt");

  /** The wire name of a misfire rule: {@code fireOnce} or {@code skip}. */
  public static String misfire(Schedule.Misfire m) {
    return m == Schedule.Misfire.SKIP ? "skip" : "fireOnce";
  }

  /** A misfire rule from its wire name. */
  static Schedule.Misfire misfire(String wire) {
    return switch (wire) {
      case "fireOnce" -> Schedule.Misfire.FIRE_ONCE;
      case "skip" -> Schedule.Misfire.SKIP;
      default ->
          throw new WireFormatException("\"misfire\" must be fireOnce or skip, got '" + wire + "'");
    };
  }

  /** The body that puts {@code s}. */
  public static byte[] body(Schedule s) {
    return WireWriter.write(
        g -> {
          g.writeStartObject();
          writeDefinition(g, s, false);
          g.writeEndObject();
        });
  }

  /** One schedule as the broker answers it. */
  public static byte[] view(ScheduleInfo i) {
    return WireWriter.write(g -> writeView(g, i));
  }

  /** A queue's schedules: {@code {"schedules":[...]}}. */
  public static byte[] list(List<ScheduleInfo> all) {
    return WireWriter.write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("schedules");
          for (ScheduleInfo i : all) {
            writeView(g, i);
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** The answer to a delete: {@code {"name":"...","deleted":true}}. */
  public static byte[] deleted(String name, boolean deleted) {
    return WireWriter.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("name", name);
          g.writeBooleanField("deleted", deleted);
          g.writeEndObject();
        });
  }

  private static void writeView(JsonGenerator g, ScheduleInfo i) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", i.schedule().name());
    writeDefinition(g, i.schedule(), true);
    instant(g, "nextFireAt", i.nextFireAt());
    instant(g, "lastFireAt", i.lastFireAt());
    if (i.lastJobId() != null) {
      g.writeStringField("lastJobId", i.lastJobId());
    }
    instant(g, "createdAt", i.createdAt());
    g.writeEndObject();
  }

  private static void writeDefinition(JsonGenerator g, Schedule s, boolean all) throws IOException {
    if (s.cron() != null) {
      g.writeStringField("cron", s.cron());
      g.writeStringField("zone", s.zone().getId());
    } else {
      g.writeStringField("every", WireWriter.duration(s.every()));
    }
    g.writeFieldName("payload");
    g.writeRawValue(s.payloadJson());
    if (s.type() != null) {
      g.writeStringField("type", s.type());
    }
    if (all || s.priority() != 0) {
      g.writeNumberField("priority", s.priority());
    }
    if (s.maxAttempts() != null) {
      g.writeNumberField("maxAttempts", s.maxAttempts());
    }
    g.writeStringField("misfire", misfire(s.misfire()));
  }

  private static void instant(JsonGenerator g, String field, Instant at) throws IOException {
    if (at != null) {
      g.writeStringField(field, at.toString());
    }
  }

  /** One schedule from a broker's answer. */
  public static ScheduleInfo readView(byte[] reply) {
    try (JsonParser p = JSON.createParser(reply)) {
      p.nextToken();
      return readObject(p, reply);
    } catch (IOException | RuntimeException e) {
      throw new MalformedReplyException("unreadable schedule in the broker's answer: " + e);
    }
  }

  /** The schedules of a broker's {@code {"schedules":[...]}} answer. */
  public static List<ScheduleInfo> readList(byte[] reply) {
    List<ScheduleInfo> out = new ArrayList<>();
    try (JsonParser p = JSON.createParser(reply)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if ("schedules".equals(field)) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            out.add(readObject(p, reply));
          }
        } else {
          p.skipChildren();
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new MalformedReplyException("unreadable schedules in the broker's answer: " + e);
    }
  }

  /** Whether a delete answer says a schedule was deleted. */
  public static boolean readDeleted(byte[] reply) {
    return new String(reply, StandardCharsets.UTF_8).contains("\"deleted\":true");
  }

  private static ScheduleInfo readObject(JsonParser p, byte[] src) throws IOException {
    String name = null;
    String cron = null;
    String zone = null;
    Duration every = null;
    String payload = null;
    String type = null;
    int priority = 0;
    Integer maxAttempts = null;
    Schedule.Misfire misfire = null;
    Instant next = null;
    Instant last = null;
    String lastJob = null;
    Instant created = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "name" -> name = p.getText();
        case "cron" -> cron = p.getText();
        case "zone" -> zone = p.getText();
        case "every" -> every = millis(p.getText());
        case "payload" -> {
          int start = (int) p.currentTokenLocation().getByteOffset();
          if (t.isStructStart()) {
            p.skipChildren();
          } else {
            p.finishToken();
          }
          int end = (int) p.currentLocation().getByteOffset();
          payload = new String(src, start, end - start, StandardCharsets.UTF_8);
        }
        case "type" -> type = p.getText();
        case "priority" -> priority = p.getIntValue();
        case "maxAttempts" -> maxAttempts = p.getIntValue();
        case "misfire" -> misfire = misfire(p.getText());
        case "nextFireAt" -> next = Instant.parse(p.getText());
        case "lastFireAt" -> last = Instant.parse(p.getText());
        case "lastJobId" -> lastJob = p.getText();
        case "createdAt" -> created = Instant.parse(p.getText());
        default -> p.skipChildren();
      }
    }
    Schedule s =
        new Schedule(
            name,
            cron,
            every,
            zone == null ? null : ZoneId.of(zone),
            payload,
            type,
            priority,
            maxAttempts,
            misfire);
    return new ScheduleInfo(s, next, last, lastJob, created);
  }

  private static Duration millis(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    if (!t.endsWith("ms")) {
      throw new IllegalArgumentException("not a duration in ms: " + text);
    }
    return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
  }
}
