package dev.casq.broker;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.Command;
import dev.casq.core.internal.EngineHealth;
import dev.casq.core.internal.EngineMetrics;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.QueueTally;
import dev.casq.wire.ErrorCode;
import dev.casq.wire.WireWriter;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToDoubleFunction;
import org.eclipse.jetty.util.Fields;

/**
 * The JSON the dashboard page reads (not part of the versioned {@code /v1} API; docs/broker.md):
 *
 * <ul>
 *   <li>{@code GET /dashboard/overview}: every queue's state, counts and totals, broker record and
 *       epoch history, and its charts over the last 15 minutes. It reads what the engines published
 *       and the broker's samples: it never sends an engine a command.
 *   <li>{@code GET /dashboard/jobs?queue=&status=&q=&offset=&limit=}: a page of the job table (see
 *       {@link JobSearch}), one read-only command to the queue's engine.
 * </ul>
 */
final class DashboardApi {
  private final ApiHandler.Context ctx;

  DashboardApi(ApiHandler.Context ctx) {
    this.ctx = ctx;
  }

  byte[] overview() {
    Instant now = ctx.clock().instant();
    return WireWriter.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("brokerId", ctx.brokerId());
          g.writeStringField("address", ctx.address());
          g.writeStringField("now", now.toString());
          g.writeNumberField("sampleSeconds", ctx.dashboardSampleInterval().toMillis() / 1e3);
          g.writeBooleanField("tokenRequired", ctx.auth() != null);
          g.writeArrayFieldStart("queues");
          for (ServedQueue q : ctx.queues().values()) {
            queue(g, q, now);
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  private static void queue(JsonGenerator g, ServedQueue q, Instant now) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", q.name());
    g.writeStringField("store", q.spec.redactedStoreUri());
    g.writeStringField("status", q.status().wireName());
    EngineHealth h = q.engineHealth();
    g.writeObjectFieldStart("engine");
    g.writeStringField("state", h.state().wireName());
    g.writeStringField("reason", h.reason());
    g.writeStringField("since", h.since().toString());
    g.writeEndObject();
    g.writeFieldName("broker");
    broker(g, q.broker());
    g.writeArrayFieldStart("epochs");
    for (EpochHistory.Entry e : q.epochs.entries()) {
      g.writeStartObject();
      g.writeStringField("event", e.event().wireName());
      g.writeStringField("at", e.at().toString());
      g.writeFieldName("broker");
      broker(g, e.broker());
      g.writeEndObject();
    }
    g.writeEndArray();
    JobQueue jq = q.queue();
    EngineMetrics m =
        q.status() == ServedQueue.Status.SERVING && jq != null ? jq.engine().metrics() : null;
    current(g, m, now);
    series(g, q.series.points());
    g.writeEndObject();
  }

  private static void broker(JsonGenerator g, BrokerRecord b) throws IOException {
    if (b == null) {
      g.writeNull();
      return;
    }
    g.writeStartObject();
    g.writeStringField("id", b.id());
    g.writeStringField("address", b.address());
    g.writeNumberField("epoch", b.epoch());
    g.writeStringField("heartbeatAt", b.heartbeatAt().toString());
    g.writeEndObject();
  }

  /** What the engine published after its last batch and commit (zeros when not serving). */
  private static void current(JsonGenerator g, EngineMetrics m, Instant now) throws IOException {
    QueueTally counts = m == null ? QueueTally.NONE : m.latest();
    QueueTally done = m == null ? QueueTally.NONE : m.committed();
    g.writeObjectFieldStart("current");
    g.writeNumberField("revision", Math.max(0, done.revision()));
    g.writeNumberField("ready", counts.ready());
    g.writeNumberField("scheduled", counts.scheduled());
    g.writeNumberField("leased", counts.leased());
    g.writeNumberField("dead", counts.dead());
    g.writeNumberField("finished", counts.finished());
    g.writeNumberField("oldestReadyAgeSeconds", counts.oldestReadyAge(now).toMillis() / 1e3);
    g.writeObjectFieldStart("counters");
    g.writeNumberField("pushed", done.pushed());
    g.writeNumberField("claimed", done.claimed());
    g.writeNumberField("completed", done.completed());
    g.writeNumberField("failed", done.failed());
    g.writeNumberField("dead", done.deadTotal());
    g.writeNumberField("expired", done.expired());
    g.writeNumberField("retried", done.retried());
    g.writeNumberField("cancelled", done.cancelled());
    g.writeNumberField("archived", done.archived());
    g.writeEndObject();
    g.writeNumberField("commits", m == null ? 0 : m.commits());
    g.writeNumberField("conflicts", m == null ? 0 : m.conflicts());
    g.writeNumberField("commitErrors", m == null ? 0 : m.errors());
    g.writeNumberField("objectBytes", m == null ? 0 : m.lastObjectBytes());
    g.writeEndObject();
  }

  /** The charts, one array per line, oldest first; {@code t} in epoch milliseconds. */
  private static void series(JsonGenerator g, List<SeriesPoint> points) throws IOException {
    g.writeObjectFieldStart("series");
    g.writeArrayFieldStart("t");
    for (SeriesPoint p : points) {
      g.writeNumber(p.at().toEpochMilli());
    }
    g.writeEndArray();
    line(g, "push", points, SeriesPoint::pushRate);
    line(g, "claim", points, SeriesPoint::claimRate);
    line(g, "complete", points, SeriesPoint::completeRate);
    line(g, "fail", points, SeriesPoint::failRate);
    line(g, "ready", points, SeriesPoint::ready);
    line(g, "scheduled", points, SeriesPoint::scheduled);
    line(g, "leased", points, SeriesPoint::leased);
    line(g, "dead", points, SeriesPoint::dead);
    line(g, "oldestReadyAge", points, SeriesPoint::oldestReadyAgeSeconds);
    line(g, "commitMillis", points, SeriesPoint::commitMillis);
    line(g, "batchSize", points, SeriesPoint::batchSize);
    g.writeEndObject();
  }

  private static void line(
      JsonGenerator g, String name, List<SeriesPoint> points, ToDoubleFunction<SeriesPoint> f)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (SeriesPoint p : points) {
      double v = f.applyAsDouble(p);
      if (Double.isNaN(v)) {
        g.writeNull();
      } else if (v == Math.rint(v)) {
        g.writeNumber((long) v);
      } else {
        g.writeNumber(Math.round(v * 1000) / 1000.0);
      }
    }
    g.writeEndArray();
  }

  /** A page of {@code queue}'s job table, as one read-only command to its engine. */
  CompletableFuture<JobSearch.Page> jobs(JobQueue queue, Fields query) {
    JobSearch search = JobSearch.of(query);
    return queue.submit(Command.readingOnly((s, m, now) -> search.find(s)));
  }

  /** The served queue a dashboard request names with {@code queue}. */
  ServedQueue named(Fields query) {
    String name = query.getValue("queue");
    if (name == null || name.isEmpty()) {
      throw ApiException.invalid("name the queue: ?queue=NAME");
    }
    ServedQueue q = ctx.queues().get(name);
    if (q == null) {
      throw new ApiException(
          ErrorCode.UNKNOWN_QUEUE,
          "this broker serves no queue named '" + name + "'; it serves " + ctx.queues().keySet());
    }
    return q;
  }

  static byte[] page(String queue, JobSearch.Page page) {
    return WireWriter.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("queue", queue);
          g.writeBooleanField("more", page.more());
          g.writeArrayFieldStart("jobs");
          for (Job j : page.jobs()) {
            g.writeStartObject();
            g.writeStringField("id", j.id());
            g.writeStringField("status", j.status().wireName());
            g.writeStringField("type", j.type());
            g.writeNumberField("priority", j.priority());
            g.writeNumberField("attempts", j.attempts());
            g.writeNumberField("maxAttempts", j.maxAttempts());
            g.writeStringField("createdAt", j.createdAt().toString());
            g.writeStringField("runAt", j.runAt().toString());
            g.writeStringField("worker", j.lease() == null ? null : j.lease().worker());
            g.writeStringField(
                "leaseExpiresAt", j.lease() == null ? null : j.lease().expiresAt().toString());
            g.writeStringField("lastError", JobSearch.preview(j.lastError()));
            g.writeStringField("payload", JobSearch.preview(j.payloadJson()));
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }
}
