package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.wire.WireLimits;
import java.net.http.HttpRequest;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Input the queue cannot take is refused at the broker's edge with a 4xx naming the field, and
 * never reaches the engine: invalid Unicode, text over its bound, durations and instants that do
 * not fit, oversized lists, wrong methods.
 */
class EdgeValidationTest {
  private static CasqBroker broker;
  private static Http http;
  private static String leased;
  private static String token;

  @BeforeAll
  static void start() {
    broker =
        CasqBroker.builder()
            .queue("jobs", "mem://edge-" + UUID.randomUUID() + "/jobs.json")
            .listen("127.0.0.1", 0)
            .build()
            .start();
    http = new Http(broker.address());
    http.post("/v1/queues/jobs/jobs", "{\"payload\":1}");
    JsonNode job =
        http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"lease\":\"10m\"}")
            .json()
            .get("jobs")
            .get(0);
    leased = job.get("id").asText();
    token = job.get("leaseToken").asText();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static void rejected(String path, String body, String messagePart) {
    long revision = broker.jobQueue("jobs").engine().committedRevision();
    BrokerApiTest.expect(http.post(path, body), 400, "invalid_request", messagePart);
    assertThat(broker.jobQueue("jobs").engine().committedRevision()).isEqualTo(revision);
  }

  @Test
  void loneSurrogatesAreNotText() {
    String push = "/v1/queues/jobs/jobs";
    rejected(push, "{\"payload\":1,\"key\":\"k\\ud800\"}", "\"key\" is not valid Unicode");
    rejected(push, "{\"payload\":1,\"type\":\"\\udc00t\"}", "\"type\" is not valid Unicode");
    rejected(push, "{\"payload\":\"a\\ud800b\"}", "\"payload\" holds a string");
    rejected(push, "{\"payload\":{\"\\ud800\":1}}", "field name");
    rejected(push, "{\"payload\":[[{\"x\":\"\\udfff\"}]]}", "\"payload\" holds a string");
    rejected(
        "/v1/queues/jobs/claim", "{\"worker\":\"w\\ud800\"}", "\"worker\" is not valid Unicode");
    rejected(
        "/v1/queues/jobs/jobs/" + leased + "/fail",
        "{\"leaseToken\":\"" + token + "\",\"error\":\"\\ud800\"}",
        "\"error\" is not valid Unicode");
    rejected(
        "/v1/queues/jobs/jobs/" + leased + "/complete",
        "{\"leaseToken\":\"" + token + "\",\"result\":\"\\ud800\"}",
        "\"result\" holds a string");
    // a proper pair is fine
    assertThat(
            http.post(push, "{\"payload\":\"\\ud83d\\ude00\",\"key\":\"\\ud83d\\ude00\"}").status())
        .isEqualTo(201);
  }

  @Test
  void invalidUtf8BytesAreMalformedJson() {
    byte[] body = {
      '{', '"', 'p', 'a', 'y', 'l', 'o', 'a', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'
    };
    Http.Reply r =
        http.send(
            http.request("/v1/queues/jobs/jobs")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    BrokerApiTest.expect(r, 400, "invalid_request", "malformed JSON");
  }

  @Test
  void durationsAndInstantsThatDoNotFitAreRefused() {
    String push = "/v1/queues/jobs/jobs";
    rejected(push, "{\"payload\":1,\"delay\":\"PT9999999999999H\"}", "at most 3650 days");
    rejected(push, "{\"payload\":1,\"delay\":\"9223372036854775807s\"}", "at most 3650 days");
    rejected(push, "{\"payload\":1,\"delay\":\"1e999999999s\"}", "duration");
    rejected(push, "{\"payload\":1,\"runAt\":\"+1000000000-01-01T00:00:00Z\"}", "must lie between");
    rejected(push, "{\"payload\":1,\"runAt\":\"-1000000000-01-01T00:00:00Z\"}", "must lie between");
    rejected("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"lease\":\"PT9999999999999H\"}", "lease");
    rejected(
        "/v1/queues/jobs/claim",
        "{\"worker\":\"w\",\"wait\":\"9999999999999999999999ms\"}",
        "wait");
    rejected("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"limit\":1e999999999}", "limit");
    rejected(
        "/v1/queues/jobs/jobs/" + leased + "/heartbeat",
        "{\"leaseToken\":\"" + token + "\",\"extend\":\"PT9999999999999H\"}",
        "extend");
  }

  @Test
  void textAndListsOverTheirBoundsAreRefused() {
    String push = "/v1/queues/jobs/jobs";
    rejected(
        push,
        "{\"payload\":1,\"key\":\"" + "k".repeat(WireLimits.MAX_KEY_CHARS + 1) + "\"}",
        "at most 256 characters");
    rejected(
        push,
        "{\"payload\":1,\"type\":\"" + "t".repeat(WireLimits.MAX_TYPE_CHARS + 1) + "\"}",
        "at most 128 characters");
    rejected("/v1/queues/jobs/claim", "{\"worker\":\"" + "w".repeat(10_000) + "\"}", "worker");
    rejected(
        "/v1/queues/jobs/claim",
        "{\"worker\":\"w\",\"types\":[" + "\"t\",".repeat(WireLimits.MAX_CLAIM_TYPES) + "\"t\"]}",
        "at most 64 entries");
    rejected(
        "/v1/queues/jobs/claim",
        "{\"worker\":\"w\",\"types\":[\"" + "t".repeat(WireLimits.MAX_TYPE_CHARS + 1) + "\"]}",
        "types[]");
    rejected(
        "/v1/queues/jobs/jobs/" + leased + "/heartbeat",
        "{\"leaseToken\":\"" + "x".repeat(100_000) + "\"}",
        "leaseToken");
    assertThat(
            http.post(
                    "/v1/queues/jobs/claim",
                    "{\"worker\":\"w\",\"types\":["
                        + "\"t\",".repeat(WireLimits.MAX_CLAIM_TYPES - 1)
                        + "\"t\"]}")
                .status())
        .isEqualTo(200);
  }

  @Test
  void aBadClaimRequestIdIsRefusedAndARetriedOneGetsTheSameJob() {
    String claim = "/v1/queues/jobs/claim";
    rejected(
        claim,
        "{\"worker\":\"w\",\"requestId\":\""
            + "r".repeat(WireLimits.MAX_CLAIM_REQUEST_ID_CHARS + 1)
            + "\"}",
        "at most 128 characters");
    rejected(claim, "{\"worker\":\"w\",\"requestId\":\"  \"}", "requestId");
    rejected(claim, "{\"worker\":\"w\",\"requestId\":7}", "\"requestId\" must be a string");
    rejected(claim, "{\"worker\":\"w\",\"requestId\":\"r\\ud800\"}", "not valid Unicode");

    http.post("/v1/queues/jobs/jobs", "{\"payload\":\"rid-1\"}");
    http.post("/v1/queues/jobs/jobs", "{\"payload\":\"rid-2\"}");
    String body = "{\"worker\":\"rid-worker\",\"requestId\":\"claim-7\",\"types\":[]}";
    JsonNode first = http.post(claim, body).json().path("jobs").get(0);
    JsonNode again = http.post(claim, body).json().path("jobs");
    assertThat(again).hasSize(1);
    assertThat(again.get(0).path("id").asText()).isEqualTo(first.path("id").asText());
    assertThat(again.get(0).path("leaseToken").asText())
        .isEqualTo(first.path("leaseToken").asText());
    // another worker with the same id is another claim
    JsonNode other =
        http.post(claim, "{\"worker\":\"rid-other\",\"requestId\":\"claim-7\"}")
            .json()
            .path("jobs");
    assertThat(other).hasSize(1);
    assertThat(other.get(0).path("id").asText()).isNotEqualTo(first.path("id").asText());
  }

  @Test
  void aWrongMethodIs405WithTheMethodsOfThePath() {
    Http.Reply r = http.send(http.request("/v1/queues/jobs/claim").DELETE().build());
    BrokerApiTest.expect(r, 405, "method_not_allowed", "POST");
    assertThat(r.headers().firstValue("allow")).hasValue("POST");
    r = http.post("/v1/queues/jobs/stats", "{}");
    BrokerApiTest.expect(r, 405, "method_not_allowed", "GET");
    assertThat(r.headers().firstValue("allow")).hasValue("GET");
    r =
        http.send(
            http.request("/v1/queues/jobs/jobs/batch")
                .PUT(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    assertThat(r.headers().firstValue("allow")).hasValue("GET, POST");
    BrokerApiTest.expect(http.get("/v1/queues/jobs/nothing"), 404, "not_found", "no route");
  }
}
