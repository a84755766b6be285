package dev.casq.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Writes the records of the wire format as JSON: requests (what the Java client sends) and replies
 * (what the broker answers). Payloads and results are written as the JSON text they hold,
 * unchanged. Optional parts that are null are left out, except where the API always shows the field
 * ({@code type} of a leased job, {@code broker} and {@code updatedAt} of stats). Thread-safe.
 */
public final class WireWriter {
  private static final JsonFactory JSON = new JsonFactory();

  private WireWriter() {}

  /** Writes the fields of one JSON value. */
  @FunctionalInterface
  public interface Body {
    /**
     * @param g the generator to write to
     * @throws IOException when writing fails
     */
    void write(JsonGenerator g) throws IOException;
  }

  /** The bytes of what {@code body} writes. */
  public static byte[] write(Body body) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256);
        JsonGenerator g = JSON.createGenerator(out)) {
      body.write(g);
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ requests

  /** A push body. */
  public static byte[] push(PushBody b) {
    return write(g -> pushObject(g, b));
  }

  /** A batch push body. */
  public static byte[] batch(Collection<PushBody> jobs) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("jobs");
          for (PushBody b : jobs) {
            pushObject(g, b);
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private static void pushObject(JsonGenerator g, PushBody b) throws IOException {
    g.writeStartObject();
    g.writeFieldName("payload");
    g.writeRawValue(b.payloadJson());
    optString(g, "type", b.type());
    optInt(g, "priority", b.priority());
    optString(g, "runAt", b.runAt() == null ? null : b.runAt().toString());
    optString(g, "delay", duration(b.delay()));
    optInt(g, "maxAttempts", b.maxAttempts());
    optString(g, "key", b.key());
    g.writeEndObject();
  }

  /** A claim body. */
  public static byte[] claim(ClaimBody b) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("worker", b.worker());
          optString(g, "lease", duration(b.lease()));
          g.writeNumberField("limit", b.limit());
          if (!b.waitFor().isZero()) {
            g.writeStringField("wait", duration(b.waitFor()));
          }
          if (!b.types().isEmpty()) {
            g.writeArrayFieldStart("types");
            for (String t : b.types()) {
              g.writeString(t);
            }
            g.writeEndArray();
          }
          optString(g, "requestId", b.requestId());
          g.writeEndObject();
        });
  }

  /** A heartbeat body. */
  public static byte[] heartbeat(HeartbeatBody b) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("leaseToken", b.leaseToken());
          optString(g, "extend", duration(b.extend()));
          g.writeEndObject();
        });
  }

  /** A completion body. */
  public static byte[] complete(CompleteBody b) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("leaseToken", b.leaseToken());
          if (b.resultJson() != null) {
            g.writeFieldName("result");
            g.writeRawValue(b.resultJson());
          }
          g.writeEndObject();
        });
  }

  /** A batch completion body. */
  public static byte[] completeAll(CompleteAllBody b) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("jobs");
          for (CompleteAllBody.Item j : b.jobs()) {
            g.writeStartObject();
            g.writeStringField("id", j.id());
            g.writeStringField("leaseToken", j.leaseToken());
            if (j.resultJson() != null) {
              g.writeFieldName("result");
              g.writeRawValue(j.resultJson());
            }
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** A failure body. */
  public static byte[] fail(FailBody b) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("leaseToken", b.leaseToken());
          optString(g, "error", b.error());
          g.writeBooleanField("retry", b.retry());
          g.writeEndObject();
        });
  }

  /** A release body. */
  public static byte[] release(ReleaseBody b) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("leaseToken", b.leaseToken());
          g.writeEndObject();
        });
  }

  /** A cancel body: {@code {}}. */
  public static byte[] cancel() {
    return write(
        g -> {
          g.writeStartObject();
          g.writeEndObject();
        });
  }

  /** A hand-over body. */
  public static byte[] handover(HandoverBody b) {
    return write(
        g -> {
          g.writeStartObject();
          if (!b.queues().isEmpty()) {
            g.writeArrayFieldStart("queues");
            for (String q : b.queues()) {
              g.writeString(q);
            }
            g.writeEndArray();
          }
          if (b.successorId() != null) {
            g.writeObjectFieldStart("successor");
            g.writeStringField("id", b.successorId());
            g.writeStringField("address", b.successorAddress());
            g.writeEndObject();
          }
          g.writeEndObject();
        });
  }

  // ------------------------------------------------------------------ replies

  /** The answer to a push. */
  public static byte[] pushReply(PushReply r) {
    return write(g -> pushReplyObject(g, r));
  }

  private static void pushReplyObject(JsonGenerator g, PushReply r) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", r.id());
    g.writeBooleanField("duplicate", r.duplicate());
    g.writeEndObject();
  }

  /** The answer to a batch push. */
  public static byte[] batchReply(BatchReply r) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("results");
          for (BatchReply.Result x : r.results()) {
            if (x.error() != null) {
              errorObject(g, x.error());
            } else {
              pushReplyObject(g, x.pushed());
            }
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /**
   * The answer to a batch completion: {@code {"results": [{"id": ..., "status": "completed"} or
   * {"id": ..., "error": {"code": ..., "message": ...}}, ...]}}.
   */
  public static byte[] completeAllReply(CompleteAllReply r) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("results");
          for (CompleteAllReply.Result x : r.results()) {
            g.writeStartObject();
            g.writeStringField("id", x.id());
            if (x.error() == null) {
              g.writeStringField("status", "completed");
            } else {
              g.writeObjectFieldStart("error");
              g.writeStringField("code", x.error().code());
              g.writeStringField("message", x.error().message());
              g.writeEndObject();
            }
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** The answer to a claim. */
  public static byte[] claimReply(List<LeasedJobView> jobs) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("jobs");
          for (LeasedJobView j : jobs) {
            g.writeStartObject();
            g.writeStringField("id", j.id());
            g.writeFieldName("payload");
            g.writeRawValue(j.payloadJson());
            g.writeStringField("leaseToken", j.leaseToken());
            g.writeStringField("leaseExpiresAt", j.leaseExpiresAt().toString());
            g.writeNumberField("attempts", j.attempts());
            g.writeNumberField("maxAttempts", j.maxAttempts());
            if (j.type() == null) {
              g.writeNullField("type");
            } else {
              g.writeStringField("type", j.type());
            }
            g.writeNumberField("priority", j.priority());
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** The answer to a heartbeat. */
  public static byte[] heartbeatReply(HeartbeatReply r) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("leaseExpiresAt", r.leaseExpiresAt().toString());
          g.writeEndObject();
        });
  }

  /** The answer to complete, fail, release or cancel. */
  public static byte[] statusReply(StatusReply r) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("id", r.id());
          g.writeStringField("status", r.status());
          g.writeEndObject();
        });
  }

  /** A job's view; never its lease token. */
  public static byte[] job(JobView j) {
    return write(g -> jobObject(g, j));
  }

  private static void jobObject(JsonGenerator g, JobView j) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", j.id());
    g.writeStringField("status", j.status());
    g.writeFieldName("payload");
    g.writeRawValue(j.payloadJson());
    g.writeNumberField("priority", j.priority());
    g.writeStringField("runAt", j.runAt().toString());
    g.writeNumberField("attempts", j.attempts());
    g.writeNumberField("maxAttempts", j.maxAttempts());
    g.writeStringField("createdAt", j.createdAt().toString());
    optString(g, "type", j.type());
    optString(g, "key", j.key());
    if (j.lease() != null) {
      g.writeObjectFieldStart("lease");
      g.writeStringField("worker", j.lease().worker());
      g.writeStringField("expiresAt", j.lease().expiresAt().toString());
      g.writeEndObject();
    }
    optString(g, "lastError", j.lastError());
    optString(g, "finishedAt", j.finishedAt() == null ? null : j.finishedAt().toString());
    if (j.resultJson() != null) {
      g.writeFieldName("result");
      g.writeRawValue(j.resultJson());
    }
    g.writeEndObject();
  }

  // ------------------------------------------------------------------ job lists and dead jobs

  /** One page of a job list. */
  public static byte[] jobPage(JobPageReply page) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("jobs");
          for (JobView j : page.jobs()) {
            jobObject(g, j);
          }
          g.writeEndArray();
          if (page.nextCursor() != null) {
            g.writeStringField("nextCursor", page.nextCursor());
          } else {
            g.writeNullField("nextCursor");
          }
          g.writeEndObject();
        });
  }

  /** How many jobs a retry or purge by filter took. */
  public static byte[] count(CountReply r) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeNumberField("count", r.count());
          g.writeEndObject();
        });
  }

  /** The body of a retry or purge of dead jobs by filter. */
  public static byte[] deadFilter(DeadFilterBody b) {
    return write(
        g -> {
          g.writeStartObject();
          optString(g, "type", b.type());
          optString(g, "createdFrom", b.createdFrom() == null ? null : b.createdFrom().toString());
          optString(g, "createdTo", b.createdTo() == null ? null : b.createdTo().toString());
          g.writeEndObject();
        });
  }

  /** A queue's statistics. */
  public static byte[] stats(StatsView s) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("queue", s.queue());
          g.writeNumberField("revision", s.revision());
          g.writeNumberField("ready", s.ready());
          g.writeNumberField("scheduled", s.scheduled());
          g.writeNumberField("leased", s.leased());
          g.writeNumberField("pending", s.pending());
          g.writeNumberField("finishedPendingArchive", s.finishedPendingArchive());
          StatsView.Counters c = s.counters();
          g.writeObjectFieldStart("counters");
          g.writeNumberField("pushed", c.pushed());
          g.writeNumberField("claimed", c.claimed());
          g.writeNumberField("completed", c.completed());
          g.writeNumberField("failed", c.failed());
          g.writeNumberField("dead", c.dead());
          g.writeNumberField("expired", c.expired());
          g.writeNumberField("cancelled", c.cancelled());
          g.writeNumberField("archived", c.archived());
          g.writeEndObject();
          g.writeFieldName("broker");
          if (s.broker() == null) {
            g.writeNull();
          } else {
            brokerObject(g, s.broker());
          }
          if (s.updatedAt() == null) {
            g.writeNullField("updatedAt");
          } else {
            g.writeStringField("updatedAt", s.updatedAt().toString());
          }
          g.writeEndObject();
        });
  }

  /** An error answer. */
  public static byte[] error(ErrorReply e) {
    return write(g -> errorObject(g, e));
  }

  /** An error object, for an answer or a batch slot. */
  public static void errorObject(JsonGenerator g, ErrorReply e) throws IOException {
    g.writeStartObject();
    g.writeObjectFieldStart("error");
    g.writeStringField("code", e.code());
    g.writeStringField("message", e.message() == null ? e.code() : e.message());
    g.writeEndObject();
    if (e.broker() != null) {
      g.writeFieldName("broker");
      brokerObject(g, e.broker());
    }
    g.writeEndObject();
  }

  /** A broker record: id, address, epoch, and the heartbeat when known. */
  public static void brokerObject(JsonGenerator g, BrokerView b) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", b.id());
    g.writeStringField("address", b.address());
    g.writeNumberField("epoch", b.epoch());
    if (b.heartbeatAt() != null) {
      g.writeStringField("heartbeatAt", b.heartbeatAt().toString());
    }
    g.writeEndObject();
  }

  // ------------------------------------------------------------------ values

  /** A duration as the API takes it: whole milliseconds, e.g. {@code 1500ms}; null stays null. */
  public static String duration(Duration d) {
    return d == null ? null : d.toMillis() + "ms";
  }

  private static void optString(JsonGenerator g, String field, String v) throws IOException {
    if (v != null) {
      g.writeStringField(field, v);
    }
  }

  private static void optInt(JsonGenerator g, String field, Integer v) throws IOException {
    if (v != null) {
      g.writeNumberField(field, v);
    }
  }
}
