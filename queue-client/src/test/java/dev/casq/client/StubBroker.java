package dev.casq.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.casq.api.ClaimRequest;
import dev.casq.api.CommitOutcomeUnknownException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.PayloadTooLargeException;
import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.JobStatus;
import dev.casq.core.internal.Lease;
import dev.casq.core.internal.PushRequest;
import dev.casq.core.internal.QueueStats;
import dev.casq.election.BrokerTenure;
import dev.casq.election.ElectionOptions;
import dev.casq.storage.StoreProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A STUB of the casq broker for client tests: the HTTP/JSON contract of the broker API
 * (helper-briefs/http-api.md) served by the JDK's HttpServer over a real embedded {@link JobQueue}
 * and a real {@link BrokerTenure} (election, heartbeats, fencing). It is not the product's broker
 * (queue-broker); it exists so the client can be tested with scripted faults the real server does
 * not produce on demand: an answer delayed past the client's timeout after the request was applied,
 * 503 outcome_unknown after applying, and 421 redirects.
 */
final class StubBroker implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A scripted fault for the next request that matches. */
  record Fault(
      Predicate<String> path,
      boolean applyFirst,
      int status,
      String code,
      Duration delay,
      JsonNode extra) {}

  private final String name;
  private final JobQueue queue;
  private final BrokerTenure tenure;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final String token;
  private final String address;
  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger pushesApplied = new AtomicInteger();
  private volatile boolean stopped;

  private StubBroker(
      String storeUri, String name, String token, ElectionOptions election, boolean resignOnClose)
      throws IOException {
    this.name = name;
    this.token = token;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    this.address = "http://127.0.0.1:" + server.getAddress().getPort();
    this.queue =
        JobQueue.open(storeUri, QueueOptions.builder().archive(1000, Duration.ofHours(1)).build());
    try {
      this.tenure =
          BrokerTenure.builder(queue, "stub-" + server.getAddress().getPort(), address)
              .options(election)
              .resignOnClose(resignOnClose)
              .acquire();
    } catch (RuntimeException e) {
      queue.close();
      server.stop(0);
      throw e;
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static StubBroker start(String storeUri, String name) throws IOException {
    return new StubBroker(storeUri, name, null, ElectionOptions.defaults(), true);
  }

  static StubBroker start(
      String storeUri, String name, String token, ElectionOptions election, boolean resignOnClose)
      throws IOException {
    return new StubBroker(storeUri, name, token, election, resignOnClose);
  }

  String address() {
    return address;
  }

  BrokerRecord record() {
    return tenure.record();
  }

  JobQueue queue() {
    return queue;
  }

  int requests() {
    return requests.get();
  }

  /** Pushes applied that created a job or found a duplicate. */
  int pushesApplied() {
    return pushesApplied.get();
  }

  void addFault(Fault f) {
    faults.add(f);
  }

  /**
   * Stops heartbeating and resigns the queue while still answering HTTP, so a newer broker can
   * claim it and this one gets fenced at its next write.
   */
  void resignButKeepServing() {
    tenure.close();
  }

  /** Like a crash for the clients: the port closes at once; the tenure stops (resigns or not). */
  @Override
  public void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    server.stop(0);
    tenure.close();
    queue.close();
    executor.shutdownNow();
  }

  // ------------------------------------------------------------------ HTTP

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/health")) {
        reply(ex, 200, JSON.createObjectNode().put("status", "ok").put("address", address));
        return;
      }
      if (token != null) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.equals("Bearer " + token)) {
          error(ex, 401, "unauthorized", "missing or wrong bearer token", null);
          return;
        }
      }
      byte[] body = readAll(ex.getRequestBody());
      Fault fault = takeFault(path);
      if (fault != null && !fault.applyFirst()) {
        sendFault(ex, fault);
        return;
      }
      ObjectNode out;
      int status = 200;
      try {
        Object[] result = route(ex.getRequestMethod(), path, body);
        status = (Integer) result[0];
        out = (ObjectNode) result[1];
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        mapError(ex, c);
        return;
      } catch (InvalidRequestException e) {
        mapError(ex, e);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        error(ex, 503, "unavailable", "interrupted", null);
        return;
      }
      if (fault != null) {
        sendFault(ex, fault);
        return;
      }
      reply(ex, status, out);
    }
  }

  private Fault takeFault(String path) {
    for (Fault f : faults) {
      if (f.path().test(path) && faults.remove(f)) {
        return f;
      }
    }
    return null;
  }

  private void sendFault(HttpExchange ex, Fault f) throws IOException {
    if (f.delay() != null) {
      try {
        Thread.sleep(f.delay().toMillis()); // the scripted slowness itself, not synchronisation
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (f.status() == 0) {
      return; // no answer at all: the exchange closes with nothing sent
    }
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("code", f.code()).put("message", "scripted " + f.code());
    if (f.extra() != null) {
      body.setAll((ObjectNode) f.extra());
    }
    if (f.status() == 503) {
      ex.getResponseHeaders().add("Retry-After", "0");
    }
    reply(ex, f.status(), body);
  }

  private Object[] route(String method, String path, byte[] body)
      throws ExecutionException, InterruptedException, IOException {
    String prefix = "/v1/queues/" + name;
    if (!path.startsWith(prefix + "/") && !path.equals("/v1/queues")) {
      if (path.startsWith("/v1/queues/")) {
        throw new ExecutionException(new UnknownQueueException("no queue '" + path + "' here"));
      }
      throw new ExecutionException(new RouteNotFound(path));
    }
    String rest = path.substring(prefix.length());
    JsonNode in = body.length == 0 ? JSON.createObjectNode() : parse(body);
    if (method.equals("POST") && rest.equals("/jobs")) {
      PushResult r = queue.push(pushRequest(in)).get();
      pushesApplied.incrementAndGet();
      return new Object[] {
        r.duplicate() ? 200 : 201,
        JSON.createObjectNode().put("id", r.jobId()).put("duplicate", r.duplicate())
      };
    }
    if (method.equals("POST") && rest.equals("/jobs/batch")) {
      List<CompletableFuture<PushResult>> fs = new ArrayList<>();
      for (JsonNode j : in.path("jobs")) {
        fs.add(queue.push(pushRequest(j)));
      }
      ArrayNode results = JSON.createArrayNode();
      for (CompletableFuture<PushResult> f : fs) {
        try {
          PushResult r = f.get();
          pushesApplied.incrementAndGet();
          results.addObject().put("id", r.jobId()).put("duplicate", r.duplicate());
        } catch (ExecutionException e) {
          ObjectNode err = results.addObject().putObject("error");
          err.put(
                  "code",
                  e.getCause() instanceof PayloadTooLargeException
                      ? "payload_too_large"
                      : "invalid_request")
              .put("message", e.getCause().getMessage());
        }
      }
      ObjectNode out = JSON.createObjectNode();
      out.set("results", results);
      return new Object[] {200, out};
    }
    if (method.equals("POST") && rest.equals("/jobs/complete")) {
      List<JobQueue.Completion> cs = new ArrayList<>();
      for (JsonNode j : in.path("jobs")) {
        cs.add(
            new JobQueue.Completion(
                j.path("id").asText(),
                j.path("leaseToken").asText(),
                j.hasNonNull("result") ? j.get("result").toString() : null));
      }
      List<CompletableFuture<Job>> fs = queue.completeAll(cs);
      ArrayNode results = JSON.createArrayNode();
      for (int i = 0; i < fs.size(); i++) {
        ObjectNode r = results.addObject().put("id", cs.get(i).jobId());
        try {
          fs.get(i).get();
          r.put("status", "completed");
        } catch (ExecutionException e) {
          r.putObject("error")
              .put(
                  "code",
                  e.getCause() instanceof LeaseRejectedException
                      ? "lease_rejected"
                      : e.getCause() instanceof JobNotFoundException
                          ? "not_found"
                          : "invalid_request")
              .put("message", e.getCause().getMessage());
        }
      }
      ObjectNode out = JSON.createObjectNode();
      out.set("results", results);
      return new Object[] {200, out};
    }
    if (method.equals("POST") && rest.equals("/claim")) {
      Set<String> types = new HashSet<>();
      in.path("types").forEach(t -> types.add(t.asText()));
      ClaimRequest cr =
          new ClaimRequest(
              in.path("worker").asText(),
              dur(in, "lease"),
              in.path("limit").asInt(1),
              types,
              in.hasNonNull("requestId") ? in.get("requestId").asText() : null);
      Duration wait = dur(in, "wait");
      List<Job> jobs = queue.claim(cr, wait == null ? Duration.ZERO : wait).get();
      ObjectNode out = JSON.createObjectNode();
      ArrayNode arr = out.putArray("jobs");
      for (Job j : jobs) {
        ObjectNode o = arr.addObject();
        o.put("id", j.id());
        o.set("payload", JSON.readTree(j.payloadJson()));
        o.put("leaseToken", j.lease().token());
        o.put("leaseExpiresAt", j.lease().expiresAt().toString());
        o.put("attempts", j.attempts());
        o.put("maxAttempts", j.maxAttempts());
        o.put("type", j.type());
        o.put("priority", j.priority());
      }
      return new Object[] {200, out};
    }
    if (method.equals("GET") && rest.equals("/stats")) {
      QueueStats s = queue.stats().get();
      ObjectNode out = JSON.createObjectNode();
      out.put("queue", name)
          .put("revision", s.revision())
          .put("ready", s.ready())
          .put("scheduled", s.scheduled())
          .put("leased", s.leased())
          .put("pending", s.pending())
          .put("finishedPendingArchive", s.finishedPendingArchive());
      ObjectNode c = out.putObject("counters");
      c.put("pushed", s.counters().pushed())
          .put("claimed", s.counters().claimed())
          .put("completed", s.counters().completed())
          .put("failed", s.counters().failed())
          .put("dead", s.counters().dead())
          .put("expired", s.counters().expired())
          .put("cancelled", s.counters().cancelled())
          .put("archived", s.counters().archived());
      if (s.broker() != null) {
        out.putObject("broker")
            .put("id", s.broker().id())
            .put("address", s.broker().address())
            .put("epoch", s.broker().epoch())
            .put("heartbeatAt", s.broker().heartbeatAt().toString());
      }
      out.put("updatedAt", s.updatedAt() == null ? null : s.updatedAt().toString());
      return new Object[] {200, out};
    }
    if (rest.startsWith("/jobs/")) {
      String[] parts = rest.substring("/jobs/".length()).split("/");
      String id = parts[0];
      if (parts.length == 1 && method.equals("GET")) {
        return new Object[] {200, view(queue.get(id).get())};
      }
      String action = parts.length == 2 ? parts[1] : "";
      String token = in.path("leaseToken").asText(null);
      switch (action) {
        case "heartbeat":
          {
            Lease l = queue.heartbeat(id, token, dur(in, "extend")).get();
            return new Object[] {
              200, JSON.createObjectNode().put("leaseExpiresAt", l.expiresAt().toString())
            };
          }
        case "complete":
          {
            String result = in.has("result") ? JSON.writeValueAsString(in.get("result")) : null;
            queue.complete(id, token, result).get();
            return new Object[] {
              200, JSON.createObjectNode().put("id", id).put("status", "completed")
            };
          }
        case "fail":
          {
            JobStatus st =
                queue
                    .fail(
                        id, token, in.path("error").asText(null), in.path("retry").asBoolean(true))
                    .get();
            return new Object[] {
              200, JSON.createObjectNode().put("id", id).put("status", st.wireName())
            };
          }
        case "release":
          {
            queue.release(id, token).get();
            return new Object[] {
              200, JSON.createObjectNode().put("id", id).put("status", "queued")
            };
          }
        case "cancel":
          {
            queue.cancel(id).get();
            return new Object[] {
              200, JSON.createObjectNode().put("id", id).put("status", "cancelled")
            };
          }
        default:
          break;
      }
    }
    throw new ExecutionException(new RouteNotFound(path));
  }

  private ObjectNode view(Job j) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", j.id()).put("status", j.status().wireName());
    o.set("payload", JSON.readTree(j.payloadJson()));
    o.put("priority", j.priority())
        .put("runAt", j.runAt().toString())
        .put("attempts", j.attempts())
        .put("maxAttempts", j.maxAttempts())
        .put("createdAt", j.createdAt().toString());
    if (j.type() != null) {
      o.put("type", j.type());
    }
    if (j.idempotencyKey() != null) {
      o.put("key", j.idempotencyKey());
    }
    if (j.lease() != null) {
      o.putObject("lease")
          .put("worker", j.lease().worker())
          .put("expiresAt", j.lease().expiresAt().toString());
    }
    if (j.lastError() != null) {
      o.put("lastError", j.lastError());
    }
    if (j.finishedAt() != null) {
      o.put("finishedAt", j.finishedAt().toString());
    }
    if (j.resultJson() != null) {
      o.set("result", JSON.readTree(j.resultJson()));
    }
    return o;
  }

  private static PushRequest pushRequest(JsonNode in) throws IOException {
    if (!in.has("payload")) {
      throw new InvalidRequestException("push needs a \"payload\"");
    }
    Instant runAt = in.hasNonNull("runAt") ? Instant.parse(in.get("runAt").asText()) : null;
    return new PushRequest(
        JSON.writeValueAsString(in.get("payload")),
        in.path("type").asText(null),
        in.hasNonNull("priority") ? in.get("priority").asInt() : null,
        runAt,
        dur(in, "delay"),
        in.hasNonNull("maxAttempts") ? in.get("maxAttempts").asInt() : null,
        in.path("key").asText(null));
  }

  private static Duration dur(JsonNode in, String field) {
    return in.hasNonNull(field)
        ? StoreProperties.parseDuration(field, in.get(field).asText())
        : null;
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new InvalidRequestException("malformed JSON: " + e.getMessage());
    }
  }

  private void mapError(HttpExchange ex, Throwable c) throws IOException {
    if (c instanceof FencedException f) {
      ObjectNode extra = JSON.createObjectNode();
      f.currentBroker()
          .ifPresent(
              b ->
                  extra
                      .putObject("broker")
                      .put("id", b.id())
                      .put("address", b.address())
                      .put("epoch", b.epoch()));
      error(ex, 421, "not_broker", c.getMessage(), extra);
    } else if (c instanceof PayloadTooLargeException) {
      error(ex, 413, "payload_too_large", c.getMessage(), null);
    } else if (c instanceof InvalidRequestException) {
      error(ex, 400, "invalid_request", c.getMessage(), null);
    } else if (c instanceof UnknownQueueException) {
      error(ex, 404, "unknown_queue", c.getMessage(), null);
    } else if (c instanceof RouteNotFound) {
      error(ex, 404, "not_found", c.getMessage(), null);
    } else if (c instanceof JobNotFoundException) {
      error(ex, 404, "not_found", c.getMessage(), null);
    } else if (c instanceof LeaseRejectedException) {
      error(ex, 409, "lease_rejected", c.getMessage(), null);
    } else if (c instanceof CommitOutcomeUnknownException) {
      error(ex, 503, "outcome_unknown", c.getMessage(), null);
    } else if (c instanceof dev.casq.api.QueueClosedException
        || c instanceof dev.casq.storage.StorageException) {
      ex.getResponseHeaders().add("Retry-After", "1");
      error(ex, 503, "unavailable", c.getMessage(), null);
    } else {
      error(ex, 500, "internal", String.valueOf(c), null);
    }
  }

  private static final class RouteNotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RouteNotFound(String path) {
      super("no route " + path);
    }
  }

  private static void error(
      HttpExchange ex, int status, String code, String message, ObjectNode extra)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("code", code).put("message", message);
    if (extra != null) {
      body.setAll(extra);
    }
    reply(ex, status, body);
  }

  private static void reply(HttpExchange ex, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    return in.readAllBytes();
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
