package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Example;
import net.jqwik.api.RandomGenerator;

/**
 * The API fuzzer: a real broker gets generated hostile requests (wrong methods and types, extreme
 * numbers, huge and malformed strings, invalid UTF-8, lone surrogates, deep nesting, missing and
 * unknown fields, wrong tokens, oversized bodies) interleaved with valid ones that a model tracks.
 * Every answer must be 2xx or 4xx, every valid request must succeed, a hostile one must never
 * succeed, and the queue changes only by the valid ones.
 *
 * <p>{@code -Dcasq.fuzz.tries=N} sets the number of requests (default {@value #DEFAULT_TRIES});
 * {@code -Dcasq.fuzz.seed=S} replays a run.
 */
class ApiFuzzTest {
  static final int DEFAULT_TRIES = 10_000;
  private static final String TOKEN = "fuzz-token";
  private static final int MAX_REQUEST_BYTES = 64 * 1024;
  private static final String Q = "/v1/queues/jobs";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};

  /** One request to send and what it must get. */
  record Req(
      String kind,
      String method,
      String path,
      byte[] body,
      String contentType,
      String token,
      int expect,
      String allow) {
    static Req hostile(String kind, String method, String path, String body) {
      return new Req(
          kind,
          method,
          path,
          body == null ? null : body.getBytes(StandardCharsets.UTF_8),
          "application/json",
          TOKEN,
          0,
          null);
    }
  }

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Map<String, Integer> sent = new TreeMap<>();
  private final Map<Integer, Integer> statuses = new TreeMap<>();
  private String base;
  private String previous = "none";

  // ------------------------------------------------------------------ the model
  private final LinkedHashMap<String, String> status = new LinkedHashMap<>(); // id -> status
  private final Map<String, String> tokens = new LinkedHashMap<>(); // leased id -> token
  private final Map<String, String> keys = new LinkedHashMap<>(); // idempotency key -> id
  private long pushed;
  private long claimed;
  private int claimRequests;
  private String lastClaimRequestId; // of the last claim that leased a job
  private String lastClaimedId;
  private long completed;
  private long failed;
  private long dead;
  private long cancelled;

  @Example
  void hostileRequestsMixedWithValidOnesNeverFailTheBrokerAndChangeOnlyWhatTheValidOnesDo() {
    int tries = Integer.getInteger("casq.fuzz.tries", DEFAULT_TRIES);
    long seed = Long.getLong("casq.fuzz.seed", new Random().nextLong());
    Random random = new Random(seed);
    RandomGenerator<String> text = Arbitraries.strings().all().ofMaxLength(40).generator(100);
    RandomGenerator<Integer> pick = Arbitraries.integers().between(0, 1 << 30).generator(100);
    long started = System.nanoTime();
    try (CasqBroker broker =
        CasqBroker.builder()
            .queue("jobs", "mem://fuzz-" + UUID.randomUUID() + "/jobs.json")
            .listen("127.0.0.1", 0)
            .token(TOKEN)
            .maxRequestBytes(MAX_REQUEST_BYTES)
            .build()
            .start()) {
      base = broker.address();
      Gen g = new Gen(random, text, pick);
      for (int i = 0; i < tries; i++) {
        try {
          if (random.nextInt(100) < 40) {
            valid(g);
          } else {
            hostile(g.hostile());
          }
        } catch (AssertionError e) {
          throw new AssertionError(
              "request " + i + " of the run with -Dcasq.fuzz.seed=" + seed + ": " + e.getMessage(),
              e);
        }
        if (i % 250 == 0) {
          checkStats();
        }
      }
      checkStats();
      Reply health = send(new Req("health", "GET", "/health", null, null, null, 200, null));
      assertThat(health.json().at("/queues/jobs/state").asText()).isEqualTo("serving");
      Reply ready = send(new Req("ready", "GET", "/ready", null, null, null, 200, null));
      assertThat(ready.status).isEqualTo(200);
    }
    long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
    int total = sent.values().stream().mapToInt(Integer::intValue).sum();
    int serverErrors =
        statuses.entrySet().stream()
            .filter(e -> e.getKey() >= 500)
            .mapToInt(Map.Entry::getValue)
            .sum();
    System.out.printf(
        "API fuzzer: seed %d, %d tries, %d requests in %ds, server errors %d%n"
            + "  by kind: %s%n  by status: %s%n",
        seed, tries, total, seconds, serverErrors, sent, statuses);
    assertThat(serverErrors).isZero();
  }

  // ------------------------------------------------------------------ valid requests

  private void valid(Gen g) {
    List<String> queued = ids("queued");
    List<String> leased = ids("leased");
    switch (g.r.nextInt(13)) {
      case 9 -> {
        // a page of dead (or any) jobs: the dead ones are exactly the model's, in id order
        boolean deadOnly = g.r.nextBoolean();
        Reply r =
            send(
                valid(
                    "list",
                    "GET",
                    Q + "/jobs?limit=1000" + (deadOnly ? "&status=dead" : ""),
                    null,
                    200));
        List<String> listed = new ArrayList<>();
        r.json().get("jobs").forEach(j -> listed.add(j.get("id").asText()));
        if (deadOnly) {
          assertThat(listed).as("dead jobs listed").isEqualTo(ids("dead"));
        } else if (r.json().get("nextCursor").isNull()) {
          List<String> known = new ArrayList<>(status.keySet());
          known.removeIf(id -> status.get(id).equals("purged"));
          assertThat(listed).as("jobs listed").containsExactlyInAnyOrderElementsOf(known);
        }
      }
      case 10 -> {
        List<String> deadIds = ids("dead");
        if (!deadIds.isEmpty()) {
          String id = g.oneOf(deadIds);
          Reply r = send(valid("retry", "POST", Q + "/jobs/" + id + "/retry", "{}", 200));
          assertThat(r.json().get("status").asText()).isEqualTo("queued");
          // back at the end of its priority's order? no: in push order by id, like any queued job
          status.put(id, "queued");
          requeue(id);
        }
      }
      case 11 -> {
        List<String> deadIds = ids("dead");
        if (!deadIds.isEmpty()) {
          String id = g.oneOf(deadIds);
          send(valid("purge", "POST", Q + "/jobs/" + id + "/purge", null, 200));
          status.put(id, "purged");
        }
      }
      case 0, 1 -> {
        String key = null;
        if (g.r.nextBoolean()) {
          key =
              !keys.isEmpty() && g.r.nextInt(3) == 0
                  ? g.oneOf(new ArrayList<>(keys.keySet()))
                  : "key-" + g.r.nextInt(1_000_000);
        }
        String body =
            "{\"payload\":" + g.jsonValue() + (key == null ? "" : ",\"key\":\"" + key + "\"") + "}";
        String known = key == null ? null : keys.get(key);
        Reply r = send(valid("push", "POST", Q + "/jobs", body, known == null ? 201 : 200));
        String id = r.json().get("id").asText();
        if (known != null) {
          assertThat(id).as("a repeated key names the first job").isEqualTo(known);
          assertThat(r.json().get("duplicate").asBoolean()).isTrue();
        } else {
          assertThat(status).doesNotContainKey(id);
          status.put(id, "queued");
          pushed++;
          if (key != null) {
            keys.put(key, id);
          }
        }
      }
      case 2 -> {
        if (lastClaimRequestId != null
            && "leased".equals(status.get(lastClaimedId))
            && g.r.nextInt(4) == 0) {
          // a retried claim (its answer lost): the same lease again, nothing else leased
          Reply again =
              send(
                  valid(
                      "claim again",
                      "POST",
                      Q + "/claim",
                      "{\"worker\":\"fuzz\",\"lease\":\"10m\",\"requestId\":\""
                          + lastClaimRequestId
                          + "\"}",
                      200));
          JsonNode jobs = again.json().get("jobs");
          assertThat(jobs).as("a retried claim").hasSize(1);
          assertThat(jobs.get(0).get("id").asText()).isEqualTo(lastClaimedId);
          assertThat(jobs.get(0).get("leaseToken").asText()).isEqualTo(tokens.get(lastClaimedId));
          return;
        }
        String wait = queued.isEmpty() && g.r.nextBoolean() ? ",\"wait\":\"20ms\"" : "";
        String requestId = "claim-" + ++claimRequests;
        Reply r =
            send(
                valid(
                    "claim",
                    "POST",
                    Q + "/claim",
                    "{\"worker\":\"fuzz\",\"lease\":\"10m\",\"requestId\":\""
                        + requestId
                        + "\""
                        + wait
                        + "}",
                    200));
        JsonNode jobs = r.json().get("jobs");
        if (queued.isEmpty()) {
          assertThat(jobs).as("nothing was ready").isEmpty();
        } else {
          assertThat(jobs).hasSize(1);
          String id = jobs.get(0).get("id").asText();
          assertThat(id).as("the oldest ready job").isEqualTo(queued.get(0));
          status.put(id, "leased");
          tokens.put(id, jobs.get(0).get("leaseToken").asText());
          claimed++;
          lastClaimRequestId = requestId;
          lastClaimedId = id;
        }
      }
      case 3 -> {
        if (!leased.isEmpty()) {
          String id = g.oneOf(leased);
          send(
              valid(
                  "heartbeat",
                  "POST",
                  Q + "/jobs/" + id + "/heartbeat",
                  "{\"leaseToken\":\"" + tokens.get(id) + "\",\"extend\":\"10m\"}",
                  200));
        }
      }
      case 4 -> {
        if (!leased.isEmpty()) {
          String id = g.oneOf(leased);
          send(
              valid(
                  "complete",
                  "POST",
                  Q + "/jobs/" + id + "/complete",
                  "{\"leaseToken\":\"" + tokens.remove(id) + "\",\"result\":" + g.jsonValue() + "}",
                  200));
          status.put(id, "completed");
          completed++;
        }
      }
      case 5 -> {
        if (!leased.isEmpty()) {
          String id = g.oneOf(leased);
          Reply r =
              send(
                  valid(
                      "fail",
                      "POST",
                      Q + "/jobs/" + id + "/fail",
                      "{\"leaseToken\":\""
                          + tokens.remove(id)
                          + "\",\"error\":\"boom\",\"retry\":false}",
                      200));
          assertThat(r.json().get("status").asText()).isEqualTo("dead");
          status.put(id, "dead");
          failed++;
          dead++;
        }
      }
      case 6 -> {
        if (!queued.isEmpty()) {
          String id = g.oneOf(queued);
          send(valid("cancel", "POST", Q + "/jobs/" + id + "/cancel", null, 200));
          status.put(id, "cancelled");
          cancelled++;
        }
      }
      case 7 -> {
        if (!status.isEmpty()) {
          String id = g.oneOf(new ArrayList<>(status.keySet()));
          // found wherever it is (archived ones too), unless it was purged
          boolean purged = status.get(id).equals("purged");
          Reply r = send(valid("get", "GET", Q + "/jobs/" + id, null, purged ? 404 : 200));
          if (!purged) {
            assertThat(r.json().get("status").asText()).as(id).isEqualTo(status.get(id));
          }
        }
      }
      case 8 -> completeAll(g, leased);
      default -> checkStats();
    }
  }

  /**
   * A batch completion of some leased jobs (with their tokens, or a wrong one) and maybe an unknown
   * id: each job is decided on its own, in order.
   */
  private void completeAll(Gen g, List<String> leased) {
    List<String> ids = new ArrayList<>();
    List<String> sentTokens = new ArrayList<>();
    for (String id : leased) {
      if (ids.size() < 5 && g.r.nextBoolean()) {
        ids.add(id);
        sentTokens.add(g.r.nextInt(4) == 0 ? tokens.get(id) + "x" : tokens.get(id));
      }
    }
    if (ids.isEmpty() || g.r.nextInt(3) == 0) {
      ids.add(g.r.nextInt(ids.size() + 1), "j999999999");
      sentTokens.add(ids.indexOf("j999999999"), "t");
    }
    StringBuilder body = new StringBuilder("{\"jobs\":[");
    for (int i = 0; i < ids.size(); i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"id\":\"")
          .append(ids.get(i))
          .append("\",\"leaseToken\":")
          .append(quote(sentTokens.get(i)))
          .append(g.r.nextBoolean() ? ",\"result\":" + g.jsonValue() : "")
          .append('}');
    }
    Reply r = send(valid("complete batch", "POST", Q + "/jobs/complete", body + "]}", 200));
    JsonNode results = r.json().get("results");
    assertThat(results).hasSize(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      JsonNode one = results.get(i);
      assertThat(one.get("id").asText()).isEqualTo(id);
      if (!"leased".equals(status.get(id))) {
        assertThat(one.at("/error/code").asText()).as(one.toString()).isEqualTo("not_found");
      } else if (!sentTokens.get(i).equals(tokens.get(id))) {
        assertThat(one.at("/error/code").asText()).as(one.toString()).isEqualTo("lease_rejected");
      } else {
        assertThat(one.get("status").asText()).as(one.toString()).isEqualTo("completed");
        tokens.remove(id);
        status.put(id, "completed");
        completed++;
      }
    }
  }

  private void checkStats() {
    JsonNode s = send(valid("stats", "GET", Q + "/stats", null, 200)).json();
    JsonNode c = s.get("counters");
    assertThat(c.get("pushed").asLong()).as("pushed").isEqualTo(pushed);
    assertThat(c.get("claimed").asLong()).as("claimed").isEqualTo(claimed);
    assertThat(c.get("completed").asLong()).as("completed").isEqualTo(completed);
    assertThat(c.get("failed").asLong()).as("failed").isEqualTo(failed);
    assertThat(c.get("dead").asLong()).as("dead").isEqualTo(dead);
    assertThat(c.get("cancelled").asLong()).as("cancelled").isEqualTo(cancelled);
    assertThat(s.get("ready").asInt()).as("ready").isEqualTo(ids("queued").size());
    assertThat(s.get("leased").asInt()).as("leased").isEqualTo(ids("leased").size());
    assertThat(s.get("scheduled").asInt()).as("scheduled").isZero();
  }

  /**
   * A retried job is queued again with its seq: the model keeps queued ids in claim order (seq
   * order, all priorities being 0), so it moves to its place among them.
   */
  private void requeue(String id) {
    List<Map.Entry<String, String>> all = new ArrayList<>(status.entrySet());
    all.sort(java.util.Comparator.comparingLong(e -> Long.parseLong(e.getKey().substring(1))));
    status.clear();
    all.forEach(e -> status.put(e.getKey(), e.getValue()));
  }

  private List<String> ids(String wanted) {
    List<String> out = new ArrayList<>();
    status.forEach(
        (id, st) -> {
          if (st.equals(wanted)) {
            out.add(id);
          }
        });
    return out;
  }

  private static Req valid(String kind, String method, String path, String body, int expect) {
    return new Req(
        "valid " + kind,
        method,
        path,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        "application/json",
        TOKEN,
        expect,
        null);
  }

  // ------------------------------------------------------------------ hostile requests

  private void hostile(Req req) {
    if (req.kind.equals("unnormalised path")) {
      // refused by the HTTP server, or normalised to another route ("/v1/.." is "/"); a GET
      // changes nothing either way
      assertThat(rawStatus(req.path)).as(req.path).isLessThan(500);
      return;
    }
    Reply r = send(req);
    if (req.expect != 0) {
      assertThat(r.status)
          .as(req.kind + " " + req.method + " " + req.path + " -> " + r)
          .isEqualTo(req.expect);
    } else {
      assertThat(r.status)
          .as(req.kind + " " + req.method + " " + req.path + " " + preview(req.body) + " -> " + r)
          .isBetween(400, 499);
    }
    if (req.allow != null) {
      assertThat(r.headers.firstValue("allow")).as(req.path).hasValue(req.allow);
    }
    if (r.status != 405 && r.status != 414 && r.status != 431 && r.status != 400 || r.isJson()) {
      // the broker's own answers carry a JSON error code (Jetty's URI/header limits answer first)
      if (r.isJson()) {
        assertThat(r.json().at("/error/code").asText()).as(r.toString()).isNotEmpty();
      }
    }
  }

  /** Generates hostile requests; every one is invalid by construction. */
  private final class Gen {
    final Random r;
    final RandomGenerator<String> text;
    final RandomGenerator<Integer> pick;

    Gen(Random r, RandomGenerator<String> text, RandomGenerator<Integer> pick) {
      this.r = r;
      this.text = text;
      this.pick = pick;
    }

    <T> T oneOf(List<T> list) {
      return list.get(pick.next(r).value() % list.size());
    }

    @SafeVarargs
    final <T> T oneOf(T... items) {
      return items[pick.next(r).value() % items.length];
    }

    String randomText() {
      return text.next(r).value();
    }

    String jsonValue() {
      return oneOf(
          "1",
          "-0.5",
          "123456789012345678901234567890.000000001",
          "\"x\"",
          "null",
          "true",
          "[1,{\"a\":[]}]",
          "{\"nested\":{\"k\":\"v\",\"n\":[1,2,3]}}",
          "\"\\ud83d\\ude00\"",
          quote(randomTextValid()));
    }

    String randomTextValid() {
      String s = randomText();
      StringBuilder b = new StringBuilder();
      s.codePoints().filter(cp -> cp < 0xD800 || cp > 0xDFFF).forEach(b::appendCodePoint);
      return b.toString();
    }

    String someJobId() {
      if (!status.isEmpty() && r.nextBoolean()) {
        return oneOf(new ArrayList<>(status.keySet()));
      }
      return oneOf("j0", "j999999999", "x", "%20", "j" + "9".repeat(40), "batch");
    }

    String leasedOrUnknown() {
      List<String> leased = ids("leased");
      return leased.isEmpty() ? "j999999999" : oneOf(leased);
    }

    Req hostile() {
      return switch (r.nextInt(20)) {
        case 17 -> badList();
        case 18 -> wrongDeadAction();
        case 0 -> wrongMethod();
        case 1 -> unknownPath();
        case 2 -> badToken();
        case 3 -> malformed();
        case 4 -> invalidUtf8();
        case 5 -> loneSurrogate();
        case 6, 7 -> wrongPushField();
        case 8, 9 -> wrongClaimField();
        case 10 -> wrongJobAction();
        case 11 -> deepNesting();
        case 12 -> oversized();
        case 13 -> wrongContentType();
        case 14 -> wrongLeaseToken();
        case 15 -> unknownField();
        case 16 -> badCompleteAll();
        default -> badBatch();
      };
    }

    Req wrongMethod() {
      String id = someJobId();
      String[][] routes = {
        {"/", "GET"},
        {"/health", "GET"},
        {"/ready", "GET"},
        {"/metrics", "GET"},
        {"/v1/queues", "GET"},
        {Q + "/jobs", "GET, POST"},
        {Q + "/dead/" + oneOf("retry", "purge"), "POST"},
        {Q + "/jobs/batch", "GET, POST"},
        {Q + "/jobs/complete", "GET, POST"},
        {Q + "/claim", "POST"},
        {Q + "/stats", "GET"},
        {Q + "/jobs/j1", "GET"},
        {
          Q
              + "/jobs/"
              + id
              + "/"
              + oneOf("heartbeat", "complete", "fail", "release", "cancel", "retry", "purge"),
          "POST"
        },
      };
      String[] route = oneOf(routes);
      List<String> wrong = new ArrayList<>();
      for (String m : METHODS) {
        if (!List.of(route[1].split(", ")).contains(m)) {
          wrong.add(m);
        }
      }
      String method = oneOf(wrong);
      return new Req(
          "wrong method",
          method,
          route[0],
          method.equals("GET") ? null : "{\"payload\":1}".getBytes(StandardCharsets.UTF_8),
          "application/json",
          TOKEN,
          405,
          route[1]);
    }

    Req unknownPath() {
      String word = oneOf("nothing", "claims", "job", "stat", "JOBS", "admin", "..", "%2e%2e");
      String path =
          oneOf(
              "/" + word,
              "/v1/" + word,
              Q + "/" + word,
              "/v1/queues/nope/stats",
              "/v1/queues/nope/jobs",
              Q + "/jobs/j1/" + word,
              "/v2/queues",
              "/v1//queues",
              Q + "/jobs/j1/complete/x");
      boolean odd = path.contains("%2e") || path.contains("..") || path.contains("//");
      String method = path.startsWith("/v1/queues/nope/jobs") ? "POST" : "GET";
      return new Req(
          odd ? "unnormalised path" : "unknown path",
          method,
          path,
          method.equals("POST") ? "{\"payload\":1}".getBytes(StandardCharsets.UTF_8) : null,
          "application/json",
          TOKEN,
          odd ? 0 : 404,
          null);
    }

    Req badToken() {
      String token = oneOf(null, "", "fuzz-tokeN", TOKEN + "x", "Fuzz-token", randomTextValid());
      String path = oneOf(Q + "/jobs", Q + "/claim", Q + "/stats", "/v1/queues", Q + "/jobs/j1");
      boolean post = path.endsWith("/jobs") || path.endsWith("/claim");
      String body = path.endsWith("/claim") ? "{\"worker\":\"w\"}" : "{\"payload\":1}";
      return new Req(
          "wrong token",
          post ? "POST" : "GET",
          path,
          post ? body.getBytes(StandardCharsets.UTF_8) : null,
          "application/json",
          token == null ? null : "\u0000" + token,
          401,
          null);
    }

    Req malformed() {
      String body =
          oneOf(
              "",
              " ",
              "{",
              "}",
              "[]",
              "null",
              "1",
              "\"payload\"",
              "{\"payload\":}",
              "{\"payload\":1,}",
              "{payload:1}",
              "{\"payload\":1} x",
              "{\"payload\":NaN}",
              "{\"payload\":Infinity}",
              "{\"payload\":1,\"payload\":2}",
              "{'payload':1}",
              "{\"payload\":01}",
              "{\"payload\":1e}",
              "{\"payload\":\"\\x\"}",
              "{\"payload\":\"" + "\\u00" + "\"}",
              "{\"payload\":[1,2}",
              randomText(),
              "{\"payload\":1" + randomText());
      String path =
          oneOf(
              Q + "/jobs",
              Q + "/claim",
              Q + "/jobs/batch",
              Q + "/jobs/complete",
              Q
                  + "/jobs/"
                  + leasedOrUnknown()
                  + "/"
                  + oneOf("heartbeat", "complete", "fail", "release"));
      return Req.hostile("malformed JSON", "POST", path, body);
    }

    Req invalidUtf8() {
      byte[] bad =
          oneOf(
              new byte[] {(byte) 0xFF},
              new byte[] {(byte) 0xFE},
              new byte[] {(byte) 0xC0, (byte) 0xAF},
              new byte[] {(byte) 0x80},
              new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
              new byte[] {(byte) 0xE2, (byte) 0x82},
              new byte[] {(byte) 0xC3, (byte) 0x28},
              new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
      String[] parts =
          oneOf(
              new String[] {"{\"payload\":\"", "\"}"},
              new String[] {"{\"payload\":1,\"key\":\"k", "\"}"},
              new String[] {"{\"payload\":{\"", "\":1}}"},
              new String[] {"{\"worker\":\"", "\"}"});
      String path = parts[0].contains("worker") ? Q + "/claim" : Q + "/jobs";
      byte[] head = parts[0].getBytes(StandardCharsets.UTF_8);
      byte[] tail = parts[1].getBytes(StandardCharsets.UTF_8);
      byte[] body = new byte[head.length + bad.length + tail.length];
      System.arraycopy(head, 0, body, 0, head.length);
      System.arraycopy(bad, 0, body, head.length, bad.length);
      System.arraycopy(tail, 0, body, head.length + bad.length, tail.length);
      return new Req("invalid UTF-8", "POST", path, body, "application/json", TOKEN, 400, null);
    }

    Req loneSurrogate() {
      String s =
          oneOf(
              "\\ud800", "\\udbff", "\\udc00", "\\udfff", "a\\ud800b", "\\udc00\\ud800", "\\ud83d");
      String leased = leasedOrUnknown();
      String token = tokens.getOrDefault(leased, "t");
      String[][] targets = {
        {Q + "/jobs", "{\"payload\":1,\"key\":\"" + s + "\"}"},
        {Q + "/jobs", "{\"payload\":1,\"type\":\"" + s + "\"}"},
        {Q + "/jobs", "{\"payload\":\"" + s + "\"}"},
        {Q + "/jobs", "{\"payload\":{\"" + s + "\":1}}"},
        {Q + "/jobs", "{\"payload\":[1,{\"a\":[\"" + s + "\"]}]}"},
        {Q + "/claim", "{\"worker\":\"" + s + "\"}"},
        {Q + "/claim", "{\"worker\":\"w\",\"types\":[\"" + s + "\"]}"},
        {
          Q + "/jobs/" + leased + "/fail",
          "{\"leaseToken\":\"" + token + "\",\"error\":\"" + s + "\"}"
        },
        {
          Q + "/jobs/" + leased + "/complete",
          "{\"leaseToken\":\"" + token + "\",\"result\":\"" + s + "\"}"
        },
        {Q + "/jobs/" + leased + "/heartbeat", "{\"leaseToken\":\"" + s + "\"}"},
      };
      String[] t = oneOf(targets);
      return Req.hostile("lone surrogate", "POST", t[0], t[1]);
    }

    /** A field the request does not take (a typo of a real one, or made up) is refused. */
    Req unknownField() {
      String field = oneOf("extra", "Payload", "keys", "extendBy", "delay_ms", "\u00e9", "");
      if (r.nextBoolean()) {
        return Req.hostile(
            "unknown push field",
            "POST",
            Q + "/jobs",
            "{\"payload\":" + jsonValue() + ",\"" + field + "\":" + jsonValue() + "}");
      }
      return Req.hostile(
          "unknown claim field",
          "POST",
          Q + "/claim",
          "{\"worker\":\"w\",\"" + oneOf(field, "workers", "limits") + "\":1}");
    }

    Req wrongPushField() {
      String field = oneOf("priority", "maxAttempts", "delay", "runAt", "key", "type", "payload");
      String value =
          switch (field) {
            case "priority" ->
                oneOf(
                    "\"high\"",
                    "1.5",
                    "1e999999999",
                    "-1e999999999",
                    "9223372036854775808",
                    "-9223372036854775809",
                    "true",
                    "[]",
                    "{}",
                    "2000000",
                    "-2000000",
                    "1E2");
            case "maxAttempts" ->
                oneOf("0", "-1", "1001", "1e999999999", "\"3\"", "2147483648", "3.0");
            case "delay" ->
                oneOf(
                    "5",
                    "\"soon\"",
                    "\"-5s\"",
                    "\"PT9999999999999H\"",
                    "\"1e999999999\"",
                    "\"99999999999999999999d\"",
                    "true",
                    "\"\"",
                    "\"P-1D\"",
                    "\"9223372036854775807ms\"",
                    "\"106751991167300d\"",
                    quote("x".repeat(10_000)));
            case "runAt" ->
                oneOf(
                    "\"tomorrow\"",
                    "\"+1000000000-01-01T00:00:00Z\"",
                    "\"-999999999-01-01T00:00:00Z\"",
                    "0",
                    "\"\"",
                    "\"2026-13-01T00:00:00Z\"",
                    "\"0000-01-01T00:00:00Z\"");
            case "key" -> oneOf("7", "[]", "{}", "true", quote("k".repeat(257 + r.nextInt(5000))));
            case "type" -> oneOf("7", "[\"t\"]", quote("t".repeat(129 + r.nextInt(5000))));
            default -> null;
          };
      String body =
          field.equals("payload")
              ? oneOf("{}", "{\"key\":\"k\"}", "{\"Payload\":1}")
              : "{\"payload\":1,\""
                  + field
                  + "\":"
                  + value
                  + (field.equals("delay") ? "" : "")
                  + "}";
      if (field.equals("runAt") && r.nextInt(4) == 0) {
        body = "{\"payload\":1,\"delay\":\"1s\",\"runAt\":\"2030-01-01T00:00:00Z\"}";
      }
      return Req.hostile("wrong push field", "POST", Q + "/jobs", body);
    }

    Req wrongClaimField() {
      String body =
          oneOf(
              "{}",
              "{\"limit\":1}",
              "{\"worker\":7}",
              "{\"worker\":\"\"}",
              "{\"worker\":\"   \"}",
              "{\"worker\":null}",
              "{\"worker\":" + quote("w".repeat(257 + r.nextInt(20_000))) + "}",
              "{\"worker\":\"w\",\"lease\":\"0s\"}",
              "{\"worker\":\"w\",\"lease\":\"PT9999999999999H\"}",
              "{\"worker\":\"w\",\"lease\":\"13h\"}",
              "{\"worker\":\"w\",\"lease\":5}",
              "{\"worker\":\"w\",\"lease\":\"1e999999999\"}",
              "{\"worker\":\"w\",\"limit\":0}",
              "{\"worker\":\"w\",\"limit\":1001}",
              "{\"worker\":\"w\",\"limit\":-1}",
              "{\"worker\":\"w\",\"limit\":1e999999999}",
              "{\"worker\":\"w\",\"limit\":1.5}",
              "{\"worker\":\"w\",\"limit\":\"1\"}",
              "{\"worker\":\"w\",\"limit\":99999999999999999999}",
              "{\"worker\":\"w\",\"wait\":\"61s\"}",
              "{\"worker\":\"w\",\"wait\":\"-1s\"}",
              "{\"worker\":\"w\",\"wait\":3}",
              "{\"worker\":\"w\",\"wait\":\"1e999999999\"}",
              "{\"worker\":\"w\",\"wait\":\"PT9999999999999H\"}",
              "{\"worker\":\"w\",\"types\":\"email\"}",
              "{\"worker\":\"w\",\"requestId\":7}",
              "{\"worker\":\"w\",\"requestId\":\"\"}",
              "{\"worker\":\"w\",\"requestId\":\"  \"}",
              "{\"worker\":\"w\",\"requestId\":[]}",
              "{\"worker\":\"w\",\"requestId\":" + quote("r".repeat(129 + r.nextInt(5000))) + "}",
              "{\"worker\":\"w\",\"types\":[1]}",
              "{\"worker\":\"w\",\"types\":[\"\"]}",
              "{\"worker\":\"w\",\"types\":{}}",
              "{\"worker\":\"w\",\"types\":[[" + "\"t\"]]}",
              "{\"worker\":\"w\",\"types\":[" + "\"t\",".repeat(64 + r.nextInt(1000)) + "\"t\"]}",
              "{\"worker\":\"w\",\"types\":[" + quote("t".repeat(129 + r.nextInt(1000))) + "]}");
      return Req.hostile("wrong claim field", "POST", Q + "/claim", body);
    }

    /** A list with a query the broker must refuse: 400, nothing changes. */
    Req badList() {
      String query =
          oneOf(
              "status=bogus",
              "status=",
              "status=purged",
              "limit=0",
              "limit=1001",
              "limit=abc",
              "limit=-1",
              "cursor=x12",
              "cursor=j",
              "cursor=%00",
              "createdFrom=yesterday",
              "createdTo=2026-13-01T00:00:00Z",
              "type=" + "t".repeat(129),
              "status=dead&status=dead",
              "limit=10&limit=20",
              "extendBy=1",
              "%ff=1",
              "status=%ff");
      return new Req(
          "bad list query",
          "GET",
          Q + "/jobs?" + query,
          null,
          "application/json",
          TOKEN,
          400,
          null);
    }

    /** A retry or purge of a job that is not dead, of no job, or with a wrong body. */
    Req wrongDeadAction() {
      List<String> notDead = new ArrayList<>(ids("queued"));
      notDead.addAll(ids("leased"));
      notDead.addAll(ids("completed"));
      notDead.addAll(ids("cancelled"));
      String action = oneOf("retry", "purge");
      switch (r.nextInt(4)) {
        case 0 -> {
          if (!notDead.isEmpty()) {
            return Req.hostile(
                "retry or purge of a live or finished job",
                "POST",
                Q + "/jobs/" + oneOf(notDead) + "/" + action,
                "{}");
          }
          return Req.hostile(
              "retry or purge of no job", "POST", Q + "/jobs/j999999999/" + action, "{}");
        }
        case 1 -> {
          return Req.hostile(
              "retry or purge with a body",
              "POST",
              Q + "/jobs/" + someJobId() + "/" + action,
              oneOf("{\"x\":1}", "[]", "1", "{\"type\":\"t\"}"));
        }
        case 2 -> {
          return Req.hostile(
              "dead filter with a wrong field",
              "POST",
              Q + "/dead/" + action,
              oneOf(
                  "{\"status\":\"dead\"}",
                  "{\"type\":7}",
                  "{\"createdFrom\":\"yesterday\"}",
                  "{\"createdTo\":1}",
                  "[]",
                  "{\"type\":\"" + "t".repeat(129) + "\"}"));
        }
        default -> {
          return Req.hostile(
              "unknown dead action", "POST", Q + "/dead/" + oneOf("cancel", "list", "x"), "{}");
        }
      }
    }

    Req wrongJobAction() {
      String id = leasedOrUnknown();
      String token = tokens.getOrDefault(id, "t");
      String action = oneOf("heartbeat", "complete", "fail", "release");
      String body =
          oneOf(
              "{}",
              "{\"leaseToken\":7}",
              "{\"leaseToken\":null}",
              "{\"leaseToken\":\"\"}",
              "{\"leaseToken\":" + quote("x".repeat(257 + r.nextInt(50_000))) + "}",
              action.equals("heartbeat")
                  ? "{\"leaseToken\":\""
                      + token
                      + "\",\"extend\":"
                      + oneOf(
                          "\"PT9999999999999H\"", "5", "\"-1s\"", "\"1e999999999\"", "\"3651d\"")
                      + "}"
                  : action.equals("fail")
                      ? "{\"leaseToken\":\""
                          + token
                          + "\",\"retry\":"
                          + oneOf("\"yes\"", "1", "[]")
                          + "}"
                      : action.equals("complete")
                          ? "{\"leaseToken\":\""
                              + token
                              + "\",\"result\":"
                              + oneOf("[", "{\"a\":}")
                              + "}"
                          : "{\"leaseToken\":[\"" + token + "\"]}");
      if (action.equals("fail") && r.nextBoolean()) {
        body =
            "{\"leaseToken\":\""
                + token
                + "\",\"error\":"
                + oneOf("7", quote("e".repeat(4097 + r.nextInt(10_000))))
                + "}";
      }
      String unknown = oneOf("j999999999", "j0", "nope", "j" + "1".repeat(2000));
      String target = r.nextInt(3) == 0 ? unknown : id;
      if (!target.equals(id)) {
        body = "{\"leaseToken\":\"t\"}"; // a well-formed request about a job that does not exist
      }
      return Req.hostile("wrong job action", "POST", Q + "/jobs/" + target + "/" + action, body);
    }

    Req deepNesting() {
      int depth = 65 + r.nextInt(10_000);
      String nest = oneOf("[", "{\"a\":");
      String close = nest.equals("[") ? "]" : "}";
      String body = "{\"payload\":" + nest.repeat(depth) + "1" + close.repeat(depth) + "}";
      return Req.hostile("deep nesting", "POST", oneOf(Q + "/jobs", Q + "/claim"), body);
    }

    Req oversized() {
      int size = MAX_REQUEST_BYTES + 1 + r.nextInt(MAX_REQUEST_BYTES);
      String body = "{\"payload\":\"" + "x".repeat(size) + "\"}";
      return new Req(
          "oversized body",
          "POST",
          oneOf(Q + "/jobs", Q + "/claim", Q + "/jobs/batch"),
          body.getBytes(StandardCharsets.UTF_8),
          "application/json",
          TOKEN,
          413,
          null);
    }

    Req wrongContentType() {
      String type =
          oneOf(
              "text/plain",
              "application/xml",
              "application/json; charset=latin1",
              "multipart/form-data",
              "application/x-www-form-urlencoded",
              "application/jsonx");
      return new Req(
          "wrong content type",
          "POST",
          oneOf(Q + "/jobs", Q + "/claim"),
          "{\"payload\":1,\"worker\":\"w\"}".getBytes(StandardCharsets.UTF_8),
          type,
          TOKEN,
          415,
          null);
    }

    Req wrongLeaseToken() {
      String id = leasedOrUnknown();
      String action = oneOf("heartbeat", "complete", "fail", "release");
      String token =
          oneOf(
              "t",
              tokens.getOrDefault(id, "t") + "x",
              "0".repeat(32),
              randomTextValid().isEmpty() ? "t" : randomTextValid());
      return new Req(
          "wrong lease token",
          "POST",
          Q + "/jobs/" + id + "/" + action,
          ("{\"leaseToken\":" + quote(token) + "}").getBytes(StandardCharsets.UTF_8),
          "application/json",
          TOKEN,
          token.isBlank() ? 400 : tokens.containsKey(id) ? 409 : 404,
          null);
    }

    /**
     * A batch completion that is malformed somewhere, often around jobs this caller does hold with
     * their right tokens: refused whole, so none of them is completed (the model's counts check
     * it).
     */
    Req badCompleteAll() {
      List<String> leased = ids("leased");
      String id = leased.isEmpty() ? "j1" : oneOf(leased);
      String good =
          "{\"id\":\"" + id + "\",\"leaseToken\":" + quote(tokens.getOrDefault(id, "t")) + "}";
      String body =
          oneOf(
              "{}",
              "{\"jobs\":{}}",
              "{\"jobs\":null}",
              "{\"jobs\":[" + good + ",\"x\"]}",
              "{\"jobs\":[" + good + "," + good + "]}", // the same job twice
              "{\"jobs\":[" + good + ",{\"id\":\"j2\"}]}", // no token
              "{\"jobs\":[" + good + ",{\"id\":\"j2\",\"leaseToken\":\"t\",\"extend\":1}]}",
              "{\"jobs\":[" + good + ",{\"id\":\"\",\"leaseToken\":\"t\"}]}",
              "{\"jobs\":[" + good + ",{\"id\":7,\"leaseToken\":\"t\"}]}",
              "{\"jobs\":[" + good + "],\"retry\":true}",
              "{\"jobs\":["
                  + good
                  + ",{\"id\":\"j2\",\"leaseToken\":\""
                  + "t".repeat(300)
                  + "\"}]}",
              "{\"jobs\":["
                  + good
                  + ",{\"id\":\"j2\",\"leaseToken\":\"t\"}".repeat(1000 + r.nextInt(50))
                  + "]}");
      return Req.hostile("bad batch completion", "POST", Q + "/jobs/complete", body);
    }

    Req badBatch() {
      String body =
          oneOf(
              "{}",
              "{\"jobs\":{}}",
              "{\"jobs\":\"x\"}",
              "{\"jobs\":null}",
              "{\"jobs\":["
                  + "{\"payload\":1},".repeat(1000 + r.nextInt(50))
                  + "{\"payload\":1}]}");
      return Req.hostile("bad batch", "POST", Q + "/jobs/batch", body);
    }
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String preview(byte[] body) {
    if (body == null) {
      return "";
    }
    String s = new String(body, StandardCharsets.UTF_8);
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  // ------------------------------------------------------------------ sending

  record Reply(int status, String text, java.net.http.HttpHeaders headers) {
    boolean isJson() {
      return headers.firstValue("content-type").orElse("").startsWith("application/json");
    }

    JsonNode json() {
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + text, e);
      }
    }

    @Override
    public String toString() {
      return status + " " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }
  }

  /**
   * Sends a GET on a connection of its own and returns the status: paths that the HTTP server
   * refuses before routing (such as {@code /..}) make it close the connection, which a pooled
   * client could otherwise reuse.
   */
  private int rawStatus(String path) {
    sent.merge("unnormalised path", 1, Integer::sum);
    URI u = URI.create(base);
    try (java.net.Socket socket = new java.net.Socket(u.getHost(), u.getPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: "
                      + u.getHost()
                      + "\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String line =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      int st = Integer.parseInt(line.split(" ")[1]);
      statuses.merge(st, 1, Integer::sum);
      if (st >= 500) {
        fail("GET " + path + " -> server error " + line);
      }
      previous = "unnormalised path GET " + path + " -> " + st;
      return st;
    } catch (IOException | RuntimeException e) {
      throw new AssertionError("GET " + path + " got no answer: " + e, e);
    }
  }

  private Reply send(Req req) {
    sent.merge(req.kind, 1, Integer::sum);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + req.path)).timeout(Duration.ofSeconds(10));
    if (req.token != null) {
      if (req.token.startsWith("\u0000")) {
        String t = req.token.substring(1);
        if (!t.isEmpty() && t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
          b.header("Authorization", "Bearer " + t);
        }
      } else {
        b.header("Authorization", "Bearer " + req.token);
      }
    }
    if (req.body != null) {
      b.header("Content-Type", req.contentType);
    }
    b.method(
        req.method,
        req.body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(req.body));
    HttpResponse<String> r;
    try {
      r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(
          req.kind
              + " "
              + req.method
              + " "
              + req.path
              + " "
              + preview(req.body)
              + " got no answer (the request before: "
              + previous
              + "): "
              + e,
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    statuses.merge(r.statusCode(), 1, Integer::sum);
    previous = req.kind + " " + req.method + " " + req.path + " -> " + r.statusCode();
    Reply reply = new Reply(r.statusCode(), r.body(), r.headers());
    if (reply.status >= 500) {
      fail(
          req.kind
              + " "
              + req.method
              + " "
              + req.path
              + " "
              + preview(req.body)
              + " -> server error "
              + reply);
    }
    if (req.kind.startsWith("valid") && req.expect != 0) {
      assertThat(reply.status)
          .as(req.kind + " " + req.path + " " + preview(req.body) + " -> " + reply)
          .isEqualTo(req.expect);
    }
    return reply;
  }
}
