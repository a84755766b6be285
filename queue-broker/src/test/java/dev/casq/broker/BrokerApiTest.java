package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.storage.MemoryObjectStore;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every route of the API over real HTTP on loopback, against a mem:// queue object. */
class BrokerApiTest {
  private String store;
  private CasqBroker broker;
  private Http http;

  @BeforeEach
  void start() {
    store = "api-" + UUID.randomUUID();
    broker =
        CasqBroker.builder()
            .queue("mem://" + store + "/jobs.json")
            .listen("127.0.0.1", 0)
            .queueOptions(
                QueueOptions.builder().backoff(Duration.ofMillis(1), Duration.ofMillis(1)).build())
            .build()
            .start();
    http = new Http(broker.address());
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private QueueState object() {
    return StateCodec.decode(MemoryObjectStore.named(store).read("jobs.json").orElseThrow().data());
  }

  private String push(String body) {
    Http.Reply r = http.post("/v1/queues/jobs/jobs", body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  private JsonNode claimOne(String worker) {
    Http.Reply r = http.post("/v1/queues/jobs/claim", "{\"worker\":\"" + worker + "\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().get("jobs")).hasSize(1);
    return r.json().get("jobs").get(0);
  }

  @Test
  void pushClaimHeartbeatCompleteAndGet() {
    Http.Reply first =
        http.post(
            "/v1/queues/jobs/jobs",
            "{\"payload\":{\"to\":\"ada@example.com\",\"n\":1.50},\"key\":\"k-1\",\"priority\":3,\"type\":\"email\",\"maxAttempts\":4}");
    assertThat(first.status()).isEqualTo(201);
    assertThat(first.json().get("duplicate").asBoolean()).isFalse();
    String id = first.json().get("id").asText();

    Http.Reply again =
        http.post("/v1/queues/jobs/jobs", "{\"payload\":{\"other\":true},\"key\":\"k-1\"}");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("id").asText()).isEqualTo(id);
    assertThat(again.json().get("duplicate").asBoolean()).isTrue();

    Http.Reply viewReply = http.get("/v1/queues/jobs/jobs/" + id);
    assertThat(viewReply.text())
        .as("payload kept exactly")
        .contains("\"payload\":{\"to\":\"ada@example.com\",\"n\":1.50}");
    JsonNode view = viewReply.json();
    assertThat(view.get("status").asText()).isEqualTo("queued");
    assertThat(view.get("key").asText()).isEqualTo("k-1");
    assertThat(view.get("type").asText()).isEqualTo("email");
    assertThat(view.get("priority").asInt()).isEqualTo(3);
    assertThat(view.get("maxAttempts").asInt()).isEqualTo(4);
    assertThat(view.has("lease")).isFalse();

    JsonNode job = claimOne("w1");
    assertThat(job.get("id").asText()).isEqualTo(id);
    assertThat(job.get("payload").get("to").asText()).isEqualTo("ada@example.com");
    assertThat(job.get("attempts").asInt()).isEqualTo(1);
    assertThat(job.get("type").asText()).isEqualTo("email");
    String token = job.get("leaseToken").asText();
    Instant expires = Instant.parse(job.get("leaseExpiresAt").asText());

    Http.Reply leasedView = http.get("/v1/queues/jobs/jobs/" + id);
    assertThat(leasedView.json().get("status").asText()).isEqualTo("leased");
    assertThat(leasedView.json().get("lease").get("worker").asText()).isEqualTo("w1");
    assertThat(leasedView.text()).doesNotContain(token);

    Http.Reply hb =
        http.post(
            "/v1/queues/jobs/jobs/" + id + "/heartbeat",
            "{\"leaseToken\":\"" + token + "\",\"extend\":\"10m\"}");
    assertThat(hb.status()).as(hb.toString()).isEqualTo(200);
    assertThat(Instant.parse(hb.json().get("leaseExpiresAt").asText())).isAfter(expires);

    Http.Reply done =
        http.post(
            "/v1/queues/jobs/jobs/" + id + "/complete",
            "{\"leaseToken\":\"" + token + "\",\"result\":{\"sent\":true}}");
    assertThat(done.status()).as(done.toString()).isEqualTo(200);
    assertThat(done.json().get("status").asText()).isEqualTo("completed");
    JsonNode finished = http.get("/v1/queues/jobs/jobs/" + id).json();
    assertThat(finished.get("status").asText()).isEqualTo("completed");
    assertThat(finished.get("result").get("sent").asBoolean()).isTrue();
    assertThat(object().counters().completed()).isEqualTo(1);
  }

  @Test
  void failRetriesThenGoesDead() {
    String id = push("{\"payload\":1,\"maxAttempts\":2}");
    String t1 = claimOne("w").get("leaseToken").asText();
    Http.Reply f1 =
        http.post(
            "/v1/queues/jobs/jobs/" + id + "/fail",
            "{\"leaseToken\":\"" + t1 + "\",\"error\":\"smtp down\"}");
    assertThat(f1.json().get("status").asText()).as(f1.toString()).isEqualTo("queued");
    Http.Reply c2 = http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"wait\":\"5s\"}");
    JsonNode j2 = c2.json().get("jobs").get(0);
    assertThat(j2.get("attempts").asInt()).isEqualTo(2);
    Http.Reply f2 =
        http.post(
            "/v1/queues/jobs/jobs/" + id + "/fail",
            "{\"leaseToken\":\""
                + j2.get("leaseToken").asText()
                + "\",\"error\":\"again\",\"retry\":false}");
    assertThat(f2.json().get("status").asText()).isEqualTo("dead");
    JsonNode view = http.get("/v1/queues/jobs/jobs/" + id).json();
    assertThat(view.get("status").asText()).isEqualTo("dead");
    assertThat(view.get("lastError").asText()).isEqualTo("again");
  }

  @Test
  void releaseAndCancel() {
    String id = push("{\"payload\":\"x\"}");
    String token = claimOne("w").get("leaseToken").asText();
    Http.Reply rel =
        http.post("/v1/queues/jobs/jobs/" + id + "/release", "{\"leaseToken\":\"" + token + "\"}");
    assertThat(rel.status()).isEqualTo(200);
    assertThat(rel.json().get("status").asText()).isEqualTo("queued");
    assertThat(claimOne("w2").get("attempts").asInt()).as("a release does not count").isEqualTo(1);

    Http.Reply cancel =
        http.send(
            http.request("/v1/queues/jobs/jobs/" + id + "/cancel")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
    assertThat(cancel.json().get("status").asText()).isEqualTo("cancelled");
    Http.Reply twice = http.post("/v1/queues/jobs/jobs/" + id + "/cancel", "{}");
    assertThat(twice.status()).isEqualTo(404);
    assertThat(twice.errorCode()).isEqualTo("not_found");
  }

  @Test
  void batchPushAnswersEachJobInOrder() {
    Http.Reply r =
        http.post(
            "/v1/queues/jobs/jobs/batch",
            "{\"jobs\":[{\"payload\":1,\"key\":\"a\"},{\"nopayload\":true},{\"payload\":3,\"priority\":\"high\"},"
                + "{\"payload\":4,\"key\":\"a\"},{\"payload\":[5]},7]}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode results = r.json().get("results");
    assertThat(results).hasSize(6);
    String first = results.get(0).get("id").asText();
    assertThat(results.get(0).get("duplicate").asBoolean()).isFalse();
    assertThat(results.get(1).get("error").get("code").asText()).isEqualTo("invalid_request");
    assertThat(results.get(1).get("error").get("message").asText())
        .contains("jobs[1]")
        .contains("payload");
    assertThat(results.get(2).get("error").get("message").asText()).contains("priority");
    assertThat(results.get(3).get("id").asText()).isEqualTo(first);
    assertThat(results.get(3).get("duplicate").asBoolean()).isTrue();
    assertThat(results.get(4).has("id")).isTrue();
    assertThat(results.get(5).get("error").get("code").asText()).isEqualTo("invalid_request");
    assertThat(object().liveJobs()).hasSize(2);

    StringBuilder big = new StringBuilder("{\"jobs\":[");
    for (int i = 0; i < 1001; i++) {
      big.append(i == 0 ? "" : ",").append("{\"payload\":").append(i).append('}');
    }
    Http.Reply tooMany = http.post("/v1/queues/jobs/jobs/batch", big.append("]}").toString());
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.errorMessage()).contains("1000");
    assertThat(object().liveJobs()).hasSize(2);
  }

  @Test
  void aBatchCompletionAnswersEachJobAndABadBodyCompletesNothing() {
    String a = push("{\"payload\":1}");
    String b = push("{\"payload\":2}");
    String c = push("{\"payload\":3}");
    JsonNode ja = claimOne("w");
    JsonNode jb = claimOne("w");
    JsonNode jc = claimOne("w");

    // malformed anywhere: 400, and not even the well-formed jobs are completed
    String good = "{\"id\":\"" + a + "\",\"leaseToken\":\"" + ja.get("leaseToken").asText() + "\"}";
    for (String bad :
        List.of(
            "{\"jobs\":[" + good + "," + good + "]}",
            "{\"jobs\":[" + good + ",{\"id\":\"" + b + "\"}]}",
            "{\"jobs\":[" + good + ",{\"id\":\"" + b + "\",\"leaseToken\":\"t\",\"ttl\":1}]}",
            "{\"jobs\":" + good + "}")) {
      Http.Reply r = http.post("/v1/queues/jobs/jobs/complete", bad);
      assertThat(r.status()).as(bad + " -> " + r).isEqualTo(400);
      assertThat(r.json().at("/error/code").asText()).isEqualTo("invalid_request");
    }
    assertThat(http.get("/v1/queues/jobs/stats").json().at("/counters/completed").asInt()).isZero();

    Http.Reply r =
        http.post(
            "/v1/queues/jobs/jobs/complete",
            "{\"jobs\":["
                + good.replace("}", ",\"result\":{\"n\":1.50}}")
                + ",{\"id\":\"no-such-job\",\"leaseToken\":\"t\"}"
                + ",{\"id\":\""
                + b
                + "\",\"leaseToken\":\"wrong\"}"
                + ",{\"id\":\""
                + c
                + "\",\"leaseToken\":\""
                + jc.get("leaseToken").asText()
                + "\"}]}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode results = r.json().get("results");
    assertThat(results).hasSize(4);
    assertThat(results.get(0).get("id").asText()).isEqualTo(a);
    assertThat(results.get(0).get("status").asText()).isEqualTo("completed");
    assertThat(results.get(1).at("/error/code").asText()).isEqualTo("not_found");
    assertThat(results.get(2).get("id").asText()).isEqualTo(b);
    assertThat(results.get(2).at("/error/code").asText()).isEqualTo("lease_rejected");
    assertThat(results.get(3).get("status").asText()).isEqualTo("completed");

    // the result is kept exactly as sent
    assertThat(http.get("/v1/queues/jobs/jobs/" + a).text()).contains("\"result\":{\"n\":1.50}");
    assertThat(http.get("/v1/queues/jobs/jobs/" + b).json().get("status").asText())
        .isEqualTo("leased");
    assertThat(http.get("/v1/queues/jobs/jobs/" + c).json().get("status").asText())
        .isEqualTo("completed");
    assertThat(jb.get("id").asText()).isEqualTo(b);
  }

  @Test
  void statsQueuesHealthMetricsAndDashboard() {
    push("{\"payload\":1}");
    push("{\"payload\":2,\"delay\":\"1h\"}");
    claimOne("w");
    JsonNode stats = http.get("/v1/queues/jobs/stats").json();
    assertThat(stats.get("queue").asText()).isEqualTo("jobs");
    assertThat(stats.get("ready").asInt()).isZero();
    assertThat(stats.get("scheduled").asInt()).isEqualTo(1);
    assertThat(stats.get("leased").asInt()).isEqualTo(1);
    assertThat(stats.get("pending").asInt()).isEqualTo(2);
    assertThat(stats.get("counters").get("pushed").asInt()).isEqualTo(2);
    assertThat(stats.get("counters").get("claimed").asInt()).isEqualTo(1);
    assertThat(stats.get("broker").get("id").asText()).isEqualTo(broker.brokerId());
    assertThat(stats.get("broker").get("epoch").asInt()).isEqualTo(1);
    assertThat(stats.get("broker").get("address").asText()).isEqualTo(broker.address());
    assertThat(stats.get("revision").asLong()).isEqualTo(object().revision());

    JsonNode queues = http.get("/v1/queues").json().get("queues");
    assertThat(queues).hasSize(1);
    assertThat(queues.get(0).get("name").asText()).isEqualTo("jobs");
    assertThat(queues.get(0).get("store").asText()).isEqualTo("mem://" + store + "/jobs.json");

    Http.Reply health = http.get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("ok");
    assertThat(health.json().get("brokerId").asText()).isEqualTo(broker.brokerId());
    assertThat(health.json().get("queues").get("jobs").get("epoch").asInt()).isEqualTo(1);
    assertThat(health.json().get("queues").get("jobs").get("revision").asLong()).isPositive();

    Http.Reply metrics = http.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
    assertThat(metrics.text())
        .contains("casq_commits_total{queue=\"jobs\"}")
        .contains(
            "http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"201\",uri=\"/v1/queues/{q}/jobs\"} 2")
        .contains("casq_queue_jobs{queue=\"jobs\",state=\"scheduled\"} 1")
        .contains("casq_queue_jobs{queue=\"jobs\",state=\"leased\"} 1")
        .contains("casq_queue_jobs{queue=\"jobs\",state=\"ready\"} 0")
        .contains("casq_queue_events_total{event=\"pushed\",queue=\"jobs\"} 2")
        .contains("casq_queue_state{queue=\"jobs\",state=\"serving\"} 1")
        .contains("casq_queue_state{queue=\"jobs\",state=\"stopped\"} 0")
        .contains("casq_commit_batch_size_count{queue=\"jobs\"}");

    Http.Reply page = http.get("/");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
    assertThat(page.text())
        .contains("/v1/queues")
        .contains("setInterval")
        .contains("e.reason")
        .doesNotContain("https://");
  }

  @Test
  void badInputGetsA4xxAndChangesNothing() {
    push("{\"payload\":0}");
    long revision = object().revision();

    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":"),
        400,
        "invalid_request",
        "malformed JSON");
    expect(http.post("/v1/queues/jobs/jobs", "[1,2]"), 400, "invalid_request", "JSON object");
    expect(http.post("/v1/queues/jobs/jobs", ""), 400, "invalid_request", "JSON object");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1} {\"x\":2}"), 400, "invalid_request", "");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"payload\":2}"),
        400,
        "invalid_request",
        "payload");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"key\":\"k\"}"),
        400,
        "invalid_request",
        "\"payload\" is required");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"priority\":\"high\"}"),
        400,
        "invalid_request",
        "\"priority\" must be a whole number");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"priority\":1.5}"),
        400,
        "invalid_request",
        "priority");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"delay\":5}"),
        400,
        "invalid_request",
        "\"delay\" must be a string");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"delay\":\"soon\"}"),
        400,
        "invalid_request",
        "duration");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"delay\":\"-5s\"}"),
        400,
        "invalid_request",
        "duration");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"runAt\":\"tomorrow\"}"),
        400,
        "invalid_request",
        "runAt");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"maxAttempts\":0}"),
        400,
        "invalid_request",
        "maxAttempts");
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"key\":7}"),
        400,
        "invalid_request",
        "\"key\" must be a string");
    expect(
        http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"limit\":0}"),
        400,
        "invalid_request",
        "limit");
    expect(
        http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"wait\":\"61s\"}"),
        400,
        "invalid_request",
        "wait");
    expect(http.post("/v1/queues/jobs/claim", "{\"limit\":1}"), 400, "invalid_request", "worker");
    expect(
        http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"types\":\"email\"}"),
        400,
        "invalid_request",
        "types");
    expect(
        http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"lease\":\"0s\"}"),
        400,
        "invalid_request",
        "lease");

    String deep = "[".repeat(100) + "]".repeat(100);
    expect(
        http.post("/v1/queues/jobs/jobs", "{\"payload\":" + deep + "}"),
        400,
        "invalid_request",
        "nested deeper than 64");

    String overBody = "{\"payload\":\"" + "x".repeat((1 << 20) + 10) + "\"}";
    expect(
        http.post("/v1/queues/jobs/jobs", overBody), 413, "payload_too_large", "limit is 1048576");
    Http.Reply chunked =
        http.send(
            http.request("/v1/queues/jobs/jobs")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(overBody.getBytes())))
                .build());
    expect(chunked, 413, "payload_too_large", "limit");
    String overPayload = "{\"payload\":\"" + "x".repeat(300_000) + "\"}";
    expect(http.post("/v1/queues/jobs/jobs", overPayload), 413, "payload_too_large", "limit");

    Http.Reply plain =
        http.send(
            http.request("/v1/queues/jobs/jobs")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":1}"))
                .build());
    expect(plain, 415, "unsupported_media_type", "application/json");

    expect(http.get("/v1/queues/jobs/jobs/j999"), 404, "not_found", "j999");
    expect(
        http.post("/v1/queues/jobs/jobs/j999/complete", "{\"leaseToken\":\"t\"}"),
        404,
        "not_found",
        "j999");
    expect(http.post("/v1/queues/nope/jobs", "{\"payload\":1}"), 404, "unknown_queue", "nope");
    expect(http.get("/v1/queues/nope/stats"), 404, "unknown_queue", "jobs");
    expect(http.get("/v1/nothing"), 404, "not_found", "no route");
    expect(http.get("/elsewhere"), 404, "not_found", "no route");
    expect(http.get("/v1/queues/jobs/claim"), 405, "method_not_allowed", "POST");
    expect(http.post("/v1/queues/jobs/jobs/j1/explode", "{}"), 404, "not_found", "no route");

    assertThat(object().revision())
        .as("no rejected request changed the object")
        .isEqualTo(revision);
    assertThat(object().liveJobs()).hasSize(1);
  }

  @Test
  void wrongLeaseTokenIsRejectedAndTheLeaseStands() {
    String id = push("{\"payload\":1}");
    String token = claimOne("w").get("leaseToken").asText();
    long revision = object().revision();
    expect(
        http.post("/v1/queues/jobs/jobs/" + id + "/complete", "{\"leaseToken\":\"forged\"}"),
        409,
        "lease_rejected",
        "wrong lease token");
    expect(
        http.post("/v1/queues/jobs/jobs/" + id + "/heartbeat", "{\"leaseToken\":\"forged\"}"),
        409,
        "lease_rejected",
        "");
    expect(
        http.post("/v1/queues/jobs/jobs/" + id + "/fail", "{\"leaseToken\":\"forged\"}"),
        409,
        "lease_rejected",
        "");
    expect(
        http.post("/v1/queues/jobs/jobs/" + id + "/complete", "{}"),
        400,
        "invalid_request",
        "leaseToken");
    assertThat(object().revision()).isEqualTo(revision);
    Http.Reply ok =
        http.post("/v1/queues/jobs/jobs/" + id + "/complete", "{\"leaseToken\":\"" + token + "\"}");
    assertThat(ok.status()).isEqualTo(200);
    expect(
        http.post("/v1/queues/jobs/jobs/" + id + "/complete", "{\"leaseToken\":\"" + token + "\"}"),
        404,
        "not_found",
        "");
  }

  @Test
  void longPollClaimWakesWhenAJobArrives() throws Exception {
    long t0 = System.nanoTime();
    Http.Reply empty = http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"wait\":\"300ms\"}");
    assertThat(empty.json().get("jobs")).isEmpty();
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(290));

    CompletableFuture<Http.Reply> waiting =
        http.postAsync("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"wait\":\"30s\"}");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> broker.meterRegistry().find("casq.commit.batch.size").summary() != null);
    String id = push("{\"payload\":\"wake up\"}");
    long pushedAt = System.nanoTime();
    Http.Reply got = waiting.get(20, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pushedAt)).isLessThan(10_000);
    assertThat(got.json().get("jobs").get(0).get("id").asText()).isEqualTo(id);
  }

  @Test
  void thousandsOfConcurrentPushesAllLand() throws Exception {
    int n = 2000;
    List<CompletableFuture<Http.Reply>> replies = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      replies.add(
          http.postAsync("/v1/queues/jobs/jobs", "{\"payload\":" + i + ",\"key\":\"k" + i + "\"}"));
    }
    CompletableFuture.allOf(replies.toArray(new CompletableFuture<?>[0]))
        .get(120, TimeUnit.SECONDS);
    for (CompletableFuture<Http.Reply> r : replies) {
      assertThat(r.join().status()).as(r.join().toString()).isEqualTo(201);
    }
    QueueState s = object();
    assertThat(StateCodec.liveJobs(MemoryObjectStore.named(store), s)).hasSize(n); // with segments
    assertThat(s.counters().pushed()).isEqualTo(n);
    assertThat(s.revision()).as("pushes were grouped into fewer commits").isLessThan(n);
  }

  @Test
  void http2WithoutTlsServesTheSameApi() throws Exception {
    java.net.http.HttpClient h2 =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_2)
            .build();
    java.net.URI base = java.net.URI.create(broker.address());
    var health =
        h2.send(
            HttpRequest.newBuilder(base.resolve("/health")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(health.version())
        .as("upgraded to h2c")
        .isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    List<CompletableFuture<java.net.http.HttpResponse<String>>> pushes = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      pushes.add(
          h2.sendAsync(
              HttpRequest.newBuilder(base.resolve("/v1/queues/jobs/jobs"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":" + i + "}"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString()));
    }
    for (var f : pushes) {
      var r = f.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(201);
      assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    }
    assertThat(StateCodec.liveJobs(MemoryObjectStore.named(store), object())).hasSize(100);
  }

  static void expect(Http.Reply r, int status, String code, String messagePart) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.errorCode()).as(r.toString()).isEqualTo(code);
    assertThat(r.errorMessage()).as(r.toString()).contains(messagePart);
  }
}
