package dev.casq.broker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.casq.core.BrokerRecord;
import dev.casq.core.Job;
import dev.casq.core.QueueCounters;
import dev.casq.core.QueueStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/** Writes the API's response bodies. Payloads and results are copied as the JSON text stored. */
final class JsonOut {
  private static final JsonFactory JSON = new JsonFactory();

  private JsonOut() {}

  @FunctionalInterface
  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  static byte[] write(Body body) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256);
        JsonGenerator g = JSON.createGenerator(out)) {
      body.write(g);
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] error(String code, String message, BrokerRecord broker) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeObjectFieldStart("error");
          g.writeStringField("code", code);
          g.writeStringField("message", message == null ? code : message);
          g.writeEndObject();
          if (broker != null) {
            g.writeFieldName("broker");
            brokerShort(g, broker);
          }
          g.writeEndObject();
        });
  }

  static void errorObject(JsonGenerator g, String code, String message) throws IOException {
    g.writeStartObject();
    g.writeObjectFieldStart("error");
    g.writeStringField("code", code);
    g.writeStringField("message", message == null ? code : message);
    g.writeEndObject();
    g.writeEndObject();
  }

  static byte[] pushed(String id, boolean duplicate) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("id", id);
          g.writeBooleanField("duplicate", duplicate);
          g.writeEndObject();
        });
  }

  static byte[] status(String id, String status) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("id", id);
          g.writeStringField("status", status);
          g.writeEndObject();
        });
  }

  static byte[] leaseExpiresAt(Instant at) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("leaseExpiresAt", at.toString());
          g.writeEndObject();
        });
  }

  static byte[] claimed(List<Job> jobs) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("jobs");
          for (Job j : jobs) {
            g.writeStartObject();
            g.writeStringField("id", j.id());
            g.writeFieldName("payload");
            g.writeRawValue(j.payloadJson());
            g.writeStringField("leaseToken", j.lease().token());
            g.writeStringField("leaseExpiresAt", j.lease().expiresAt().toString());
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

  /** The job view; never the lease token. */
  static byte[] job(Job j) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("id", j.id());
          g.writeStringField("status", j.status().wireName());
          g.writeFieldName("payload");
          g.writeRawValue(j.payloadJson());
          g.writeNumberField("priority", j.priority());
          g.writeStringField("runAt", j.runAt().toString());
          g.writeNumberField("attempts", j.attempts());
          g.writeNumberField("maxAttempts", j.maxAttempts());
          g.writeStringField("createdAt", j.createdAt().toString());
          if (j.type() != null) {
            g.writeStringField("type", j.type());
          }
          if (j.idempotencyKey() != null) {
            g.writeStringField("key", j.idempotencyKey());
          }
          if (j.lease() != null) {
            g.writeObjectFieldStart("lease");
            g.writeStringField("worker", j.lease().worker());
            g.writeStringField("expiresAt", j.lease().expiresAt().toString());
            g.writeEndObject();
          }
          if (j.lastError() != null) {
            g.writeStringField("lastError", j.lastError());
          }
          if (j.finishedAt() != null) {
            g.writeStringField("finishedAt", j.finishedAt().toString());
          }
          if (j.resultJson() != null) {
            g.writeFieldName("result");
            g.writeRawValue(j.resultJson());
          }
          g.writeEndObject();
        });
  }

  static byte[] stats(String queue, QueueStats s) {
    return write(
        g -> {
          g.writeStartObject();
          g.writeStringField("queue", queue);
          g.writeNumberField("revision", s.revision());
          g.writeNumberField("ready", s.ready());
          g.writeNumberField("scheduled", s.scheduled());
          g.writeNumberField("leased", s.leased());
          g.writeNumberField("pending", s.pending());
          g.writeNumberField("finishedPendingArchive", s.finishedPendingArchive());
          QueueCounters c = s.counters();
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
            g.writeStartObject();
            g.writeStringField("id", s.broker().id());
            g.writeStringField("address", s.broker().address());
            g.writeNumberField("epoch", s.broker().epoch());
            g.writeStringField("heartbeatAt", s.broker().heartbeatAt().toString());
            g.writeEndObject();
          }
          if (s.updatedAt() == null) {
            g.writeNullField("updatedAt");
          } else {
            g.writeStringField("updatedAt", s.updatedAt().toString());
          }
          g.writeEndObject();
        });
  }

  static void brokerShort(JsonGenerator g, BrokerRecord b) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", b.id());
    g.writeStringField("address", b.address());
    g.writeNumberField("epoch", b.epoch());
    g.writeEndObject();
  }

  /** {@code "state": ..., "reason": ..., "since": ...} of a queue's engine. */
  static void engineHealth(JsonGenerator g, dev.casq.core.EngineHealth h) throws IOException {
    g.writeStringField("state", h.state().wireName());
    if (h.reason() != null) {
      g.writeStringField("reason", h.reason());
    } else {
      g.writeNullField("reason");
    }
    g.writeStringField("since", h.since().toString());
  }
}
