package dev.casq.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/openapi.yaml and the wire module agree, so that the document, the broker and the client
 * cannot drift apart: every request body's fields are exactly the ones the reader takes, its
 * required fields are the ones the reader insists on, every reply's fields are the ones the writer
 * writes, the error codes are the enum's, and the documented bounds are {@link WireLimits}'.
 */
class OpenApiWireTest {
  private static final Path DOC = Path.of("..", "docs", "openapi.yaml");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonNode doc;

  /** How each documented request body is read, with a body that has every field. */
  private record RequestShape(Set<String> fields, String fullBody, Consumer<byte[]> read) {}

  private static final WireReader READER = new WireReader();
  private static final Map<String, RequestShape> REQUESTS = new LinkedHashMap<>();

  static {
    REQUESTS.put(
        "push",
        new RequestShape(
            WireReader.PUSH_FIELDS,
            "{\"payload\":{\"a\":1},\"key\":\"k\",\"priority\":2,\"delay\":\"5s\",\"type\":\"t\","
                + "\"maxAttempts\":3}",
            READER::readPush));
    REQUESTS.put(
        "pushBatch",
        new RequestShape(
            WireReader.BATCH_FIELDS, "{\"jobs\":[{\"payload\":1}]}", READER::readBatch));
    REQUESTS.put(
        "claim",
        new RequestShape(
            WireReader.CLAIM_FIELDS,
            "{\"worker\":\"w\",\"lease\":\"30s\",\"limit\":2,\"wait\":\"1s\",\"types\":[\"t\"],"
                + "\"requestId\":\"r\"}",
            READER::readClaim));
    REQUESTS.put(
        "heartbeat",
        new RequestShape(
            WireReader.HEARTBEAT_FIELDS,
            "{\"leaseToken\":\"x\",\"extend\":\"10s\"}",
            READER::readHeartbeat));
    REQUESTS.put(
        "complete",
        new RequestShape(
            WireReader.COMPLETE_FIELDS,
            "{\"leaseToken\":\"x\",\"result\":[1]}",
            READER::readComplete));
    REQUESTS.put(
        "completeAll",
        new RequestShape(
            WireReader.COMPLETE_ALL_FIELDS,
            "{\"jobs\":[{\"id\":\"j1\",\"leaseToken\":\"x\",\"result\":[1]}]}",
            READER::readCompleteAll));
    REQUESTS.put(
        "fail",
        new RequestShape(
            WireReader.FAIL_FIELDS,
            "{\"leaseToken\":\"x\",\"error\":\"e\",\"retry\":false}",
            READER::readFail));
    REQUESTS.put(
        "release",
        new RequestShape(WireReader.RELEASE_FIELDS, "{\"leaseToken\":\"x\"}", READER::readRelease));
    REQUESTS.put("cancel", new RequestShape(WireReader.CANCEL_FIELDS, "{}", READER::readCancel));
    REQUESTS.put(
        "retryJob", new RequestShape(WireReader.DEAD_JOB_FIELDS, "{}", READER::readDeadJob));
    REQUESTS.put(
        "purgeJob", new RequestShape(WireReader.DEAD_JOB_FIELDS, "{}", READER::readDeadJob));
    REQUESTS.put(
        "retryDead",
        new RequestShape(
            WireReader.DEAD_FILTER_FIELDS,
            "{\"type\":\"t\",\"createdFrom\":\"2026-01-01T00:00:00Z\","
                + "\"createdTo\":\"2026-02-01T00:00:00Z\"}",
            READER::readDeadFilter));
    REQUESTS.put(
        "purgeDead",
        new RequestShape(
            WireReader.DEAD_FILTER_FIELDS,
            "{\"type\":\"t\",\"createdFrom\":\"2026-01-01T00:00:00Z\","
                + "\"createdTo\":\"2026-02-01T00:00:00Z\"}",
            READER::readDeadFilter));
    REQUESTS.put(
        "putSchedule",
        new RequestShape(
            WireReader.SCHEDULE_FIELDS,
            "{\"cron\":\"0 * * * *\",\"zone\":\"Europe/Berlin\",\"payload\":{\"a\":1},"
                + "\"type\":\"t\",\"priority\":2,\"maxAttempts\":3,\"misfire\":\"skip\"}",
            b -> READER.readSchedule("s", b)));
    REQUESTS.put(
        "handover",
        new RequestShape(
            WireReader.HANDOVER_FIELDS,
            "{\"queues\":[\"q\"],\"successor\":{\"id\":\"b\",\"address\":\"http://h:1\"}}",
            READER::readHandover));
  }

  @BeforeAll
  static void read() throws Exception {
    doc = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(DOC));
  }

  @Test
  void everyDocumentedRequestBodyHasExactlyTheFieldsTheReaderTakes() throws Exception {
    List<String> seen = new ArrayList<>();
    for (JsonNode op : operations()) {
      String id = op.get("operationId").asText();
      JsonNode schema = requestSchema(op);
      RequestShape shape = REQUESTS.get(id);
      if (schema == null) {
        assertThat(shape)
            .as("operation %s has no body; the reader has a shape for it", id)
            .isNull();
        continue;
      }
      assertThat(shape)
          .as("the wire module reads the body of documented operation %s", id)
          .isNotNull();
      seen.add(id);
      assertThat(propertyNames(schema))
          .as("fields of %s", id)
          .isEqualTo(new TreeSet<>(shape.fields()));

      // the full body is read; each required field is insisted on; each optional one is not
      ObjectNode full = (ObjectNode) JSON.readTree(shape.fullBody());
      Set<String> sampled = new TreeSet<>(iterable(full.fieldNames()));
      Set<String> unsampled = new TreeSet<>(shape.fields());
      unsampled.removeAll(sampled);
      // runAt excludes delay (the reader refuses both): it is read in a sample of its own below
      assertThat(unsampled)
          .as("fields of %s left out of its sample", id)
          .isEqualTo(
              id.equals("push")
                  ? Set.of("runAt")
                  : id.equals("putSchedule") ? Set.of("every") : Set.of());
      assertThatCode(() -> shape.read().accept(bytes(full))).doesNotThrowAnyException();
      Set<String> required = required(schema);
      for (String f : sampled) {
        ObjectNode without = full.deepCopy();
        without.remove(f);
        // a schedule needs one of cron and every: without the sampled cron it is refused
        if (required.contains(f) || (id.equals("putSchedule") && f.equals("cron"))) {
          assertThatThrownBy(() -> shape.read().accept(bytes(without)))
              .as("%s without required field %s", id, f)
              .isInstanceOf(WireFormatException.class)
              .hasMessageContaining(f);
        } else {
          assertThatCode(() -> shape.read().accept(bytes(without)))
              .as("%s without optional field %s", id, f)
              .doesNotThrowAnyException();
        }
      }
      // and a field the document does not name is refused, naming it
      ObjectNode extra = full.deepCopy();
      extra.put("extendBy", "10s");
      assertThatThrownBy(() -> shape.read().accept(bytes(extra)))
          .as("%s with an unknown field", id)
          .isInstanceOf(WireFormatException.class)
          .hasMessageContaining("\"extendBy\"");
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(REQUESTS.keySet());
    assertThat(
            READER
                .readPush(
                    "{\"payload\":1,\"runAt\":\"2030-01-01T00:00:00Z\"}"
                        .getBytes(StandardCharsets.UTF_8))
                .runAt())
        .isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
  }

  @Test
  void everyDocumentedReplyHasExactlyTheFieldsTheWriterWrites() throws Exception {
    Instant t = Instant.parse("2026-01-31T12:00:00Z");
    BrokerView broker = new BrokerView("b1", "http://h:8420", 3, t);
    Map<String, byte[]> written = new LinkedHashMap<>();
    written.put("PushResult", WireWriter.pushReply(new PushReply("j1", false)));
    written.put(
        "ClaimedJob",
        element(
            WireWriter.claimReply(
                List.of(new LeasedJobView("j1", "{\"a\":1}", "tok", t, 1, 5, "t", 0))),
            "jobs"));
    written.put("StatusResult", WireWriter.statusReply(new StatusReply("j1", "completed")));
    written.put(
        "JobView",
        WireWriter.job(
            new JobView(
                "j1",
                "leased",
                "1",
                0,
                t,
                1,
                5,
                t,
                "t",
                "k",
                new JobView.LeaseView("w", t),
                "boom",
                t,
                "2")));
    written.put(
        "Stats",
        WireWriter.stats(
            new StatsView(
                "q", 1, 2, 3, 4, 9, 0, new StatsView.Counters(1, 2, 3, 4, 5, 6, 7, 8), broker, t)));
    written.put("Counters", field(written.get("Stats"), "counters"));
    written.put(
        "JobPage",
        WireWriter.jobPage(
            new JobPageReply(List.of(ReplyReader.job(written.get("JobView"))), null)));
    written.put("CountResult", WireWriter.count(new CountReply(3)));
    written.put("BrokerRecord", field(written.get("Stats"), "broker"));
    written.put("Error", WireWriter.error(ErrorReply.of(ErrorCode.QUEUE_FULL, "full")));
    for (var e : written.entrySet()) {
      JsonNode schema = doc.at("/components/schemas/" + e.getKey());
      assertThat(schema.isMissingNode()).as("schema %s is documented", e.getKey()).isFalse();
      JsonNode reply = JSON.readTree(e.getValue());
      assertThat(new TreeSet<String>(iterable(reply.fieldNames())))
          .as("fields of %s", e.getKey())
          .isEqualTo(propertyNames(schema));
    }
    // a batch completion's result is either kind: together they have the documented fields
    JsonNode results =
        JSON.readTree(
                WireWriter.completeAllReply(
                    new CompleteAllReply(
                        List.of(
                            new CompleteAllReply.Result("j1", null),
                            new CompleteAllReply.Result(
                                "j2", ErrorReply.of(ErrorCode.LEASE_REJECTED, "expired"))))))
            .get("results");
    Set<String> resultFields = new TreeSet<>();
    results.forEach(r -> r.fieldNames().forEachRemaining(resultFields::add));
    assertThat(resultFields)
        .isEqualTo(propertyNames(doc.at("/components/schemas/CompleteAllResult")));
    assertThat(new TreeSet<String>(iterable(results.get(1).get("error").fieldNames())))
        .isEqualTo(propertyNames(doc.at("/components/schemas/CompleteAllResult/properties/error")));
    // optional parts left out, the required ones stay
    JsonNode bare =
        JSON.readTree(
            WireWriter.job(
                new JobView(
                    "j1", "queued", "1", 0, t, 0, 5, t, null, null, null, null, null, null)));
    assertThat(new TreeSet<String>(iterable(bare.fieldNames())))
        .isEqualTo(required(doc.at("/components/schemas/JobView")));
  }

  @Test
  void everyErrorCodeIsDocumentedWithItsStatus() {
    JsonNode codes = doc.at("/components/schemas/Error/properties/error/properties/code/enum");
    List<String> documented = new ArrayList<>();
    codes.forEach(c -> documented.add(c.asText()));
    List<String> implemented = new ArrayList<>();
    for (ErrorCode c : ErrorCode.values()) {
      implemented.add(c.wireName());
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(implemented);
  }

  @Test
  void theDocumentedBoundsAreTheWireLimits() {
    JsonNode push = doc.at("/components/schemas/PushBody/properties");
    assertThat(push.at("/key/maxLength").asInt()).isEqualTo(WireLimits.MAX_KEY_CHARS);
    assertThat(push.at("/type/maxLength").asInt()).isEqualTo(WireLimits.MAX_TYPE_CHARS);
    assertThat(push.at("/priority/maximum").asInt()).isEqualTo(WireLimits.MAX_PRIORITY);
    assertThat(push.at("/priority/minimum").asInt()).isEqualTo(-WireLimits.MAX_PRIORITY);
    assertThat(push.at("/maxAttempts/maximum").asInt()).isEqualTo(WireLimits.MAX_ATTEMPTS);
    JsonNode claim = doc.at("/components/schemas/ClaimBody/properties");
    assertThat(claim.at("/worker/maxLength").asInt()).isEqualTo(WireLimits.MAX_WORKER_CHARS);
    assertThat(claim.at("/limit/maximum").asInt()).isEqualTo(WireLimits.MAX_CLAIM_LIMIT);
    assertThat(claim.at("/types/maxItems").asInt()).isEqualTo(WireLimits.MAX_CLAIM_TYPES);
    assertThat(claim.at("/types/items/maxLength").asInt()).isEqualTo(WireLimits.MAX_TYPE_CHARS);
    assertThat(claim.at("/requestId/maxLength").asInt())
        .isEqualTo(WireLimits.MAX_CLAIM_REQUEST_ID_CHARS);
    assertThat(claim.at("/wait/description").asText())
        .contains("at most " + WireLimits.MAX_WAIT.toSeconds() + "s");
    JsonNode batch = requestSchema(operation("pushBatch"));
    assertThat(batch.at("/properties/jobs/maxItems").asInt()).isEqualTo(WireLimits.MAX_BATCH);
    JsonNode completeAll = requestSchema(operation("completeAll"));
    assertThat(completeAll.at("/properties/jobs/maxItems").asInt())
        .isEqualTo(WireLimits.MAX_COMPLETE_BATCH);
    JsonNode item = doc.at("/components/schemas/CompleteAllItem/properties");
    assertThat(item.at("/id/maxLength").asInt()).isEqualTo(WireLimits.MAX_JOB_ID_CHARS);
    assertThat(item.at("/leaseToken/maxLength").asInt())
        .isEqualTo(WireLimits.MAX_LEASE_TOKEN_CHARS);
    JsonNode fail = requestSchema(operation("fail"));
    assertThat(fail.at("/properties/error/maxLength").asInt())
        .isEqualTo(WireLimits.MAX_ERROR_CHARS);
    for (String op : List.of("heartbeat", "complete", "fail", "release")) {
      assertThat(requestSchema(operation(op)).at("/properties/leaseToken/maxLength").asInt())
          .as("leaseToken of %s", op)
          .isEqualTo(WireLimits.MAX_LEASE_TOKEN_CHARS);
    }
    JsonNode handover = requestSchema(operation("handover"));
    assertThat(handover.at("/properties/successor/properties/id/maxLength").asInt())
        .isEqualTo(WireLimits.MAX_BROKER_ID_CHARS);
    String intro = doc.at("/info/description").asText();
    assertThat(intro).contains("at most " + WireLimits.MAX_DURATION.toDays() + " days");
    assertThat(intro)
        .contains(WireLimits.MIN_INSTANT.toString())
        .contains(WireLimits.MAX_INSTANT.toString());
    assertThat(Duration.ofSeconds(60)).isEqualTo(WireLimits.MAX_WAIT);
    JsonNode list = operation("listJobs").get("parameters");
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    list.forEach(p -> byName.put(p.path("name").asText(), p));
    byName.remove("");
    assertThat(byName.keySet()).containsExactlyInAnyOrderElementsOf(ListQuery.PARAMETERS);
    assertThat(byName.get("limit").at("/schema/maximum").asInt())
        .isEqualTo(WireLimits.MAX_LIST_LIMIT);
    assertThat(byName.get("limit").at("/schema/default").asInt())
        .isEqualTo(WireLimits.DEFAULT_LIST_LIMIT);
    List<String> statuses = new ArrayList<>();
    byName.get("status").at("/schema/enum").forEach(n -> statuses.add(n.asText()));
    assertThat(statuses).isEqualTo(ListQuery.STATUSES);
    assertThat(requestSchema(operation("retryDead")).at("/properties/type/maxLength").asInt())
        .isEqualTo(WireLimits.MAX_TYPE_CHARS);
  }

  // ------------------------------------------------------------------ document

  private static List<JsonNode> operations() {
    List<JsonNode> ops = new ArrayList<>();
    doc.get("paths").forEach(path -> path.forEach(ops::add));
    return ops;
  }

  private static JsonNode operation(String id) {
    return operations().stream()
        .filter(o -> o.get("operationId").asText().equals(id))
        .findFirst()
        .orElseThrow();
  }

  private static JsonNode requestSchema(JsonNode op) {
    JsonNode s = op.at("/requestBody/content/application~1json/schema");
    return s.isMissingNode() ? null : resolve(s);
  }

  private static JsonNode resolve(JsonNode schema) {
    JsonNode ref = schema.get("$ref");
    return ref == null ? schema : doc.at(ref.asText().substring(1));
  }

  private static Set<String> propertyNames(JsonNode schema) {
    JsonNode props = resolve(schema).get("properties");
    return props == null ? new TreeSet<>() : new TreeSet<>(iterable(props.fieldNames()));
  }

  private static Set<String> required(JsonNode schema) {
    Set<String> r = new TreeSet<>();
    JsonNode req = resolve(schema).get("required");
    if (req != null) {
      req.forEach(n -> r.add(n.asText()));
    }
    return r;
  }

  private static <T> List<T> iterable(Iterator<T> it) {
    List<T> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static byte[] bytes(JsonNode n) {
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] element(byte[] reply, String arrayField) throws Exception {
    return JSON.writeValueAsBytes(JSON.readTree(reply).get(arrayField).get(0));
  }

  private static byte[] field(byte[] reply, String field) throws Exception {
    return JSON.writeValueAsBytes(JSON.readTree(reply).get(field));
  }

  @Test
  void aScheduleReplyHasTheDocumentedFieldsAndAScheduleBodyTakesAnInterval() throws Exception {
    Instant t = Instant.parse("2026-01-31T12:00:00Z");
    dev.casq.api.Schedule cron =
        dev.casq.api.Schedule.cron("a", "0 * * * *", "{\"a\":1}")
            .inZone("Europe/Berlin")
            .withType("t")
            .withMaxAttempts(3);
    dev.casq.api.Schedule every =
        dev.casq.api.Schedule.every("b", java.time.Duration.ofMinutes(10), "1");
    Set<String> fields = new TreeSet<>();
    for (dev.casq.api.Schedule s : List.of(cron, every)) {
      JsonNode reply =
          JSON.readTree(ScheduleWire.view(new dev.casq.api.ScheduleInfo(s, t, t, "j1", t)));
      fields.addAll(new TreeSet<String>(iterable(reply.fieldNames())));
      assertThat(propertyNames(doc.at("/components/schemas/Schedule")))
          .containsAll(iterable(reply.fieldNames()));
      // a client reads back what the broker wrote, payload byte for byte
      assertThat(
              ScheduleWire.readView(
                      ScheduleWire.view(new dev.casq.api.ScheduleInfo(s, t, t, "j1", t)))
                  .schedule())
          .isEqualTo(s);
      // and the body a client writes is read back as the same schedule
      assertThat(READER.readSchedule(s.name(), ScheduleWire.body(s))).isEqualTo(s);
    }
    assertThat(fields).isEqualTo(propertyNames(doc.at("/components/schemas/Schedule")));
    assertThatThrownBy(
            () ->
                READER.readSchedule(
                    "s",
                    "{\"cron\":\"* * * * *\",\"every\":\"5s\",\"payload\":1}"
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("one of");
    assertThatThrownBy(
            () ->
                READER.readSchedule(
                    "s",
                    "{\"cron\":\"* * * * *\",\"zone\":\"Nowhere/City\",\"payload\":1}"
                        .getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("unknown time zone");
  }
}
