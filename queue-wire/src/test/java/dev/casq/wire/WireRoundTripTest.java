package dev.casq.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * What the client writes the broker reads back as the same record, and what the broker writes the
 * client reads back as the same record; payloads and results keep their exact text.
 */
class WireRoundTripTest {
  private static final WireReader READER = new WireReader();
  private static final Instant T = Instant.parse("2026-01-31T12:00:00.123Z");

  @Test
  void requestsComeBackAsWritten() {
    PushBody push =
        new PushBody(
            "{\"n\": 1e2, \"s\":\"\\u00e9\"}",
            "email",
            -7,
            null,
            Duration.ofMillis(1500),
            9,
            "key-1");
    assertThat(READER.readPush(WireWriter.push(push))).isEqualTo(push);
    PushBody at = new PushBody("-0", null, null, T, null, null, null);
    assertThat(READER.readPush(WireWriter.push(at))).isEqualTo(at);
    assertThat(READER.readBatch(WireWriter.batch(List.of(push, at))))
        .extracting(BatchItem::body)
        .containsExactly(push, at);

    ClaimBody claim =
        new ClaimBody(
            "w1", Duration.ofSeconds(30), 10, Duration.ofSeconds(5), Set.of("a", "b"), "req-1");
    assertThat(READER.readClaim(WireWriter.claim(claim))).isEqualTo(claim);
    ClaimBody bare = new ClaimBody("w1", null, 1, Duration.ZERO, Set.of(), null);
    assertThat(READER.readClaim(WireWriter.claim(bare))).isEqualTo(bare);

    HeartbeatBody hb = new HeartbeatBody("tok", Duration.ofSeconds(10));
    assertThat(READER.readHeartbeat(WireWriter.heartbeat(hb))).isEqualTo(hb);
    CompleteBody done = new CompleteBody("tok", "{\"ok\" : true}");
    assertThat(READER.readComplete(WireWriter.complete(done))).isEqualTo(done);
    FailBody fail = new FailBody("tok", "boom", false);
    assertThat(READER.readFail(WireWriter.fail(fail))).isEqualTo(fail);
    ReleaseBody release = new ReleaseBody("tok");
    assertThat(READER.readRelease(WireWriter.release(release))).isEqualTo(release);
    HandoverBody handover = new HandoverBody(List.of("q1"), "b2", "http://10.0.0.6:8420");
    assertThat(READER.readHandover(WireWriter.handover(handover))).isEqualTo(handover);
  }

  @Test
  void repliesComeBackAsWritten() {
    assertThat(ReplyReader.push(WireWriter.pushReply(new PushReply("j1", true))))
        .isEqualTo(new PushReply("j1", true));
    LeasedJobView leased = new LeasedJobView("j1", "[1, 2.50]", "tok", T, 1, 5, null, 3);
    assertThat(ReplyReader.claim(WireWriter.claimReply(List.of(leased))).jobs())
        .containsExactly(leased);
    assertThat(ReplyReader.heartbeat(WireWriter.heartbeatReply(new HeartbeatReply(T))))
        .isEqualTo(new HeartbeatReply(T));
    assertThat(ReplyReader.status(WireWriter.statusReply(new StatusReply("j1", "dead"))))
        .isEqualTo(new StatusReply("j1", "dead"));
    JobView job =
        new JobView("j1", "completed", "null", 0, T, 1, 5, T, "t", "k", null, "e", T, "{\"r\":1}");
    assertThat(ReplyReader.job(WireWriter.job(job))).isEqualTo(job);
    StatsView stats =
        new StatsView(
            "q",
            1,
            2,
            3,
            4,
            9,
            0,
            new StatsView.Counters(1, 2, 3, 4, 5, 6, 7, 8),
            new BrokerView("b", "http://h", 2, T),
            T);
    assertThat(ReplyReader.stats(WireWriter.stats(stats))).isEqualTo(stats);
    StatsView none =
        new StatsView(
            "q", 1, 0, 0, 0, 0, 0, new StatsView.Counters(0, 0, 0, 0, 0, 0, 0, 0), null, null);
    assertThat(ReplyReader.stats(WireWriter.stats(none))).isEqualTo(none);
    BatchReply batch =
        new BatchReply(
            List.of(
                new BatchReply.Result(new PushReply("j1", false), null),
                new BatchReply.Result(null, ErrorReply.of(ErrorCode.INVALID_REQUEST, "bad"))));
    assertThat(ReplyReader.batch(WireWriter.batchReply(batch))).isEqualTo(batch);
    ErrorReply moved =
        new ErrorReply("not_broker", "moved", new BrokerView("b", "http://h", 2, null));
    assertThat(ReplyReader.error(WireWriter.error(moved))).isEqualTo(moved);
    assertThat(ReplyReader.error(WireWriter.error(moved)).errorCode())
        .contains(ErrorCode.NOT_BROKER);
  }

  @Test
  void aReplyFromANewerBrokerWithMoreFieldsIsRead() {
    String body = "{\"id\":\"j1\",\"duplicate\":false,\"shard\":3}";
    assertThat(ReplyReader.push(body.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(new PushReply("j1", false));
    assertThat(
            ReplyReader.error(
                    "{\"error\":{\"code\":\"brand_new\",\"message\":\"m\"}}"
                        .getBytes(StandardCharsets.UTF_8))
                .errorCode())
        .isEmpty();
  }

  @Test
  void aReplyWithoutAFieldTheClientNeedsIsRefusedNamingIt() {
    assertThatThrownBy(() -> ReplyReader.push("{\"id\":\"j1\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedReplyException.class)
        .hasMessageContaining("\"duplicate\"");
    assertThatThrownBy(() -> ReplyReader.claim("<html>".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedReplyException.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void aMisspeltOptionalFieldIsRefusedNotIgnored() {
    assertThatThrownBy(
            () ->
                READER.readHeartbeat(
                    "{\"leaseToken\":\"t\",\"extendBy\":\"10s\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("unknown field \"extendBy\"")
        .hasMessageContaining("extend, leaseToken");
  }

  @Test
  void aBatchCompletionComesBackAsWrittenWithItsResultsByteForByte() {
    CompleteAllBody body =
        new CompleteAllBody(
            List.of(
                new CompleteAllBody.Item("j1", "t1", null),
                new CompleteAllBody.Item("j2", "t2", "{\"n\": 1e2, \"s\":\"\\u00e9\"}")));
    assertThat(READER.readCompleteAll(WireWriter.completeAll(body))).isEqualTo(body);
    CompleteAllReply reply =
        new CompleteAllReply(
            List.of(
                new CompleteAllReply.Result("j1", null),
                new CompleteAllReply.Result(
                    "j2", ErrorReply.of(ErrorCode.LEASE_REJECTED, "lease expired"))));
    assertThat(ReplyReader.completeAll(WireWriter.completeAllReply(reply))).isEqualTo(reply);
  }

  @Test
  void aBadBatchCompletionIsRefusedWholeNamingTheJob() {
    for (String[] bad :
        new String[][] {
          {
            "{\"jobs\":[{\"id\":\"j1\",\"leaseToken\":\"t\"},{\"id\":\"j2\"}]}",
            "jobs[1]: \"leaseToken\" is required"
          },
          {
            "{\"jobs\":[{\"id\":\"j1\",\"leaseToken\":\"t\",\"token\":\"t\"}]}",
            "jobs[0]: unknown field \"token\""
          },
          {
            "{\"jobs\":[{\"id\":\"j1\",\"leaseToken\":\"t\"},{\"id\":\"j1\",\"leaseToken\":\"u\"}]}",
            "jobs[1]: job \"j1\" appears more than once"
          },
          {"{\"jobs\":[\"j1\"]}", "jobs[0]: must be a JSON object"},
          {"{\"jobs\":{}}", "\"jobs\" must be an array"},
          {"{}", "\"jobs\" must be an array"},
          {"{\"jobs\":[{\"id\":\"\",\"leaseToken\":\"t\"}]}", "jobs[0]: \"id\" is required"},
        }) {
      assertThatThrownBy(() -> READER.readCompleteAll(bad[0].getBytes(StandardCharsets.UTF_8)))
          .as(bad[0])
          .isInstanceOf(WireFormatException.class)
          .hasMessageContaining(bad[1]);
    }
    StringBuilder tooMany = new StringBuilder("{\"jobs\":[");
    for (int i = 0; i <= WireLimits.MAX_COMPLETE_BATCH; i++) {
      tooMany
          .append(i == 0 ? "" : ",")
          .append("{\"id\":\"j")
          .append(i)
          .append("\",\"leaseToken\":\"t\"}");
    }
    assertThatThrownBy(
            () ->
                READER.readCompleteAll(
                    tooMany.append("]}").toString().getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(WireFormatException.class)
        .hasMessageContaining("at most " + WireLimits.MAX_COMPLETE_BATCH + " jobs");
  }

  @Property(tries = 300)
  void anyPayloadTextComesBackByteForByte(@ForAll("payloads") String payload) {
    PushBody push = new PushBody(payload, null, null, null, null, null, null);
    assertThat(READER.readPush(WireWriter.push(push)).payloadJson()).isEqualTo(payload);
    CompleteAllBody completions =
        new CompleteAllBody(List.of(new CompleteAllBody.Item("j", "t", payload)));
    assertThat(
            READER.readCompleteAll(WireWriter.completeAll(completions)).jobs().get(0).resultJson())
        .isEqualTo(payload);
    LeasedJobView leased = new LeasedJobView("j", payload, "t", T, 1, 1, null, 0);
    assertThat(
            ReplyReader.claim(WireWriter.claimReply(List.of(leased))).jobs().get(0).payloadJson())
        .isEqualTo(payload);
  }

  @Provide
  Arbitrary<String> payloads() {
    Arbitrary<String> scalars =
        Arbitraries.oneOf(
            Arbitraries.of(
                "0",
                "-0",
                "1e2",
                "1E-7",
                "3.14159265358979323846264338327950288",
                "true",
                "false",
                "null",
                "123456789012345678901234567890"),
            Arbitraries.strings()
                .ofMaxLength(20)
                .filter(
                    s ->
                        s.codePoints().allMatch(c -> c >= 0x20 && c != '"' && c != '\\')
                            && s.chars().noneMatch(c -> Character.isSurrogate((char) c)))
                .map(s -> "\"" + s + "\""),
            Arbitraries.of("\"\\u00e9\\n\\\"\"", "\"\\ud83d\\ude00\""));
    return Arbitraries.recursive(
        () -> scalars,
        inner ->
            Arbitraries.oneOf(
                inner.list().ofMaxSize(3).map(l -> "[ " + String.join(" ,", l) + "]"),
                inner
                    .list()
                    .ofMaxSize(3)
                    .map(
                        l -> {
                          StringBuilder b = new StringBuilder("{");
                          for (int i = 0; i < l.size(); i++) {
                            b.append(i == 0 ? "" : ",")
                                .append("\"k")
                                .append(i)
                                .append("\" : ")
                                .append(l.get(i));
                          }
                          return b.append("}").toString();
                        })),
        3);
  }
}
