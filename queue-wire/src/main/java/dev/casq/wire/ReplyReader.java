package dev.casq.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the broker's answers into their records. Lenient where a newer broker may differ (fields
 * this version does not know are skipped), strict where a client would misbehave (a missing
 * required field gives a {@link MalformedReplyException}). Payloads and results come back as the
 * exact JSON text the broker sent, which is the text that was pushed. Thread-safe.
 */
public final class ReplyReader {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
          .build();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private ReplyReader() {}

  /** The answer to a push. */
  public static PushReply push(byte[] body) {
    JsonNode n = object(body);
    return pushReply(n);
  }

  /** The answer to a batch push. */
  public static BatchReply batch(byte[] body) {
    JsonNode n = object(body);
    JsonNode results = n.get("results");
    if (results == null || !results.isArray()) {
      throw missing("results");
    }
    List<BatchReply.Result> out = new ArrayList<>(results.size());
    for (JsonNode r : results) {
      out.add(
          r.has("error")
              ? new BatchReply.Result(null, error(r))
              : new BatchReply.Result(pushReply(r), null));
    }
    return new BatchReply(out);
  }

  /** The answer to a batch completion. */
  public static CompleteAllReply completeAll(byte[] body) {
    JsonNode n = object(body);
    JsonNode results = n.get("results");
    if (results == null || !results.isArray()) {
      throw missing("results");
    }
    List<CompleteAllReply.Result> out = new ArrayList<>(results.size());
    for (JsonNode r : results) {
      if (!r.isObject()) {
        throw missing("results[].id");
      }
      String id = text(r, "id");
      if (r.has("error")) {
        out.add(new CompleteAllReply.Result(id, error(r)));
      } else if ("completed".equals(optText(r, "status"))) {
        out.add(new CompleteAllReply.Result(id, null));
      } else {
        throw missing("results[].status");
      }
    }
    return new CompleteAllReply(out);
  }

  /** The answer to a claim. */
  public static ClaimReply claim(byte[] body) {
    JsonNode n = object(body);
    JsonNode jobs = n.get("jobs");
    if (jobs == null || !jobs.isArray()) {
      throw missing("jobs");
    }
    List<LeasedJobView> out = new ArrayList<>(jobs.size());
    for (JsonNode j : jobs) {
      out.add(
          new LeasedJobView(
              text(j, "id"),
              raw(j, "payload"),
              text(j, "leaseToken"),
              instant(j, "leaseExpiresAt"),
              (int) number(j, "attempts"),
              (int) number(j, "maxAttempts"),
              optText(j, "type"),
              (int) number(j, "priority")));
    }
    return new ClaimReply(out);
  }

  /** The answer to a heartbeat. */
  public static HeartbeatReply heartbeat(byte[] body) {
    return new HeartbeatReply(instant(object(body), "leaseExpiresAt"));
  }

  /** The answer to complete, fail, release or cancel. */
  public static StatusReply status(byte[] body) {
    JsonNode n = object(body);
    return new StatusReply(text(n, "id"), text(n, "status"));
  }

  /** A job as {@code GET .../jobs/{id}} answers it. */
  public static JobView job(byte[] body) {
    return jobView(object(body));
  }

  // ------------------------------------------------------------------ job lists and dead jobs

  /** One page of {@code GET .../jobs}. */
  public static JobPageReply jobPage(byte[] body) {
    JsonNode n = object(body);
    JsonNode jobs = n.get("jobs");
    if (jobs == null || !jobs.isArray()) {
      throw missing("jobs");
    }
    List<JobView> out = new ArrayList<>(jobs.size());
    for (JsonNode j : jobs) {
      if (!j.isObject()) {
        throw missing("jobs[]");
      }
      out.add(jobView(j));
    }
    return new JobPageReply(out, optText(n, "nextCursor"));
  }

  /** The answer to a retry or purge by filter. */
  public static CountReply count(byte[] body) {
    return new CountReply((int) number(object(body), "count"));
  }

  private static JobView jobView(JsonNode n) {
    JsonNode lease = n.get("lease");
    return new JobView(
        text(n, "id"),
        text(n, "status"),
        raw(n, "payload"),
        (int) number(n, "priority"),
        instant(n, "runAt"),
        (int) number(n, "attempts"),
        (int) number(n, "maxAttempts"),
        instant(n, "createdAt"),
        optText(n, "type"),
        optText(n, "key"),
        lease == null || lease.isNull()
            ? null
            : new JobView.LeaseView(text(lease, "worker"), instant(lease, "expiresAt")),
        optText(n, "lastError"),
        optInstant(n, "finishedAt"),
        optRaw(n, "result"));
  }

  /** A queue's statistics. */
  public static StatsView stats(byte[] body) {
    JsonNode n = object(body);
    JsonNode c = n.get("counters");
    if (c == null || !c.isObject()) {
      throw missing("counters");
    }
    return new StatsView(
        text(n, "queue"),
        number(n, "revision"),
        number(n, "ready"),
        number(n, "scheduled"),
        number(n, "leased"),
        number(n, "pending"),
        number(n, "finishedPendingArchive"),
        new StatsView.Counters(
            number(c, "pushed"),
            number(c, "claimed"),
            number(c, "completed"),
            number(c, "failed"),
            number(c, "dead"),
            number(c, "expired"),
            number(c, "cancelled"),
            number(c, "archived")),
        broker(n.get("broker")),
        optInstant(n, "updatedAt"));
  }

  /**
   * An error answer; lenient: a body that is not an error object gives an {@link ErrorReply} with
   * no code and a preview of the body, since it is already known to be an error.
   */
  public static ErrorReply error(byte[] body) {
    try {
      JsonNode n = MAPPER.readTree(body);
      if (n != null && n.isObject() && n.get("error") != null && n.get("error").isObject()) {
        return error(n);
      }
    } catch (IOException e) {
      // not JSON: described below
    }
    return new ErrorReply(null, "an error answer that is not casq's: " + preview(body), null);
  }

  private static ErrorReply error(JsonNode n) {
    JsonNode e = n.get("error");
    String code = optText(e, "code");
    String message = optText(e, "message");
    return new ErrorReply(
        code, message == null ? String.valueOf(code) : message, broker(n.get("broker")));
  }

  private static PushReply pushReply(JsonNode n) {
    JsonNode d = n.get("duplicate");
    if (d == null || !d.isBoolean()) {
      throw missing("duplicate");
    }
    return new PushReply(text(n, "id"), d.booleanValue());
  }

  /** A broker record; null when absent, null or incomplete. */
  private static BrokerView broker(JsonNode n) {
    if (n == null || !n.isObject() || optText(n, "id") == null || optText(n, "address") == null) {
      return null;
    }
    JsonNode epoch = n.get("epoch");
    if (epoch == null || !epoch.canConvertToLong() || epoch.asLong() < 1) {
      return null;
    }
    return new BrokerView(
        text(n, "id"), text(n, "address"), epoch.asLong(), optInstant(n, "heartbeatAt"));
  }

  // ------------------------------------------------------------------ fields

  private static JsonNode object(byte[] body) {
    JsonNode n;
    try {
      n = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new MalformedReplyException("the broker's answer is not JSON: " + preview(body));
    }
    if (n == null || !n.isObject()) {
      throw new MalformedReplyException(
          "the broker's answer is not a JSON object: " + preview(body));
    }
    WireReader.keepPayloadsAsSent(FACTORY, body, (ObjectNode) n);
    return n;
  }

  private static String text(JsonNode n, String field) {
    String v = optText(n, field);
    if (v == null) {
      throw missing(field);
    }
    return v;
  }

  private static String optText(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw missing(field);
    }
    return v.asLong();
  }

  private static Instant instant(JsonNode n, String field) {
    Instant at = optInstant(n, field);
    if (at == null) {
      throw missing(field);
    }
    return at;
  }

  private static Instant optInstant(JsonNode n, String field) {
    String s = optText(n, field);
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new MalformedReplyException(
          "field \"" + field + "\" of the broker's answer is not an" + " instant: '" + s + "'");
    }
  }

  /** The JSON text of a required field as sent; JSON null is the text {@code null}. */
  private static String raw(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null) {
      throw missing(field);
    }
    return v.isNull() ? "null" : optRaw(n, field);
  }

  /** The JSON text of a field as sent; null when absent or JSON null. */
  private static String optRaw(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v instanceof POJONode p && p.getPojo() instanceof RawValue r) {
      return (String) r.rawValue();
    }
    try {
      return MAPPER.writeValueAsString(v);
    } catch (IOException e) {
      throw new MalformedReplyException("field \"" + field + "\" cannot be read: " + e);
    }
  }

  private static MalformedReplyException missing(String field) {
    return new MalformedReplyException(
        "the broker's answer lacks field \"" + field + "\" (client and broker versions differ?)");
  }

  /** The first bytes of a body, printable, for messages. */
  public static String preview(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
    return "'" + s.replaceAll("\\p{Cntrl}", " ") + (body.length > 120 ? "...'" : "'");
  }
}
