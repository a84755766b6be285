package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.ClaimRequest;
import dev.casq.api.InvalidRequestException;
import dev.casq.core.QueueOptions;
import dev.casq.core.QueuePolicy;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Payloads and results are opaque: they come back byte for byte after any re-read. */
class PayloadExactnessTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  @Property(tries = 300)
  void payloadsAndResultsSurviveTheQueueObjectAndArchivesExactly(
      @ForAll("jsonTexts") String payload, @ForAll("jsonTexts") String result) {
    JobQueue.validateJson(payload);
    JobQueue.validateJson(result);
    QueueStateMachine m = new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t"));
    QueueState s = QueueState.empty();
    m.push(s, PushRequest.of(payload), NOW);
    m.push(s, PushRequest.of(payload), NOW);
    Job claimed = m.claim(s, ClaimRequest.one("w"), NOW).get(0);
    Job done = m.complete(s, claimed.id(), claimed.lease().token(), result, NOW);

    QueueState back = StateCodec.decode(StateCodec.encode(s));
    assertThat(back.liveJobs()).singleElement().extracting(Job::payloadJson).isEqualTo(payload);
    assertThat(back.finishedJobs())
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.payloadJson()).isEqualTo(payload);
              assertThat(j.resultJson()).isEqualTo(result);
            });
    // and again: what was read is written the same way
    assertThat(StateCodec.encode(StateCodec.decode(StateCodec.encode(back))))
        .isEqualTo(StateCodec.encode(back));

    List<Job> archived = StateCodec.decodeArchive(StateCodec.encodeArchive(List.of(done), "c1"));
    assertThat(archived)
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.payloadJson()).isEqualTo(payload);
              assertThat(j.resultJson()).isEqualTo(result);
            });
  }

  @Test
  void numbersKeepTheirTextNotTheirDoubleValue() {
    for (String payload :
        List.of(
            "1e999999999",
            "-0",
            "1E+2",
            "0.1000000000000000000000001",
            "12345678901234567890123",
            "[1e999999999,-1E-400,0.30000000000000004]",
            "{\"b\":1,\"a\":2,\"b\":3}",
            "\"\\u0000 \\ud83d\\ude00 \\\" \\\\ \\/\"")) {
      QueueStateMachine m = new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t"));
      QueueState s = QueueState.empty();
      m.push(s, PushRequest.of(payload), NOW);
      assertThat(StateCodec.decode(StateCodec.encode(s)).liveJobs())
          .singleElement()
          .extracting(Job::payloadJson)
          .isEqualTo(payload);
    }
  }

  @Test
  void whitespaceAroundTheValueIsDroppedWhenPushedNotWhenReRead() {
    QueueStateMachine m = new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t"));
    QueueState s = QueueState.empty();
    m.push(s, PushRequest.of(" \n{ \"a\" :\t[ 1 ,2 ] }\r\n "), NOW);
    assertThat(s.liveJobs().iterator().next().payloadJson()).isEqualTo("{ \"a\" :\t[ 1 ,2 ] }");
    assertThat(StateCodec.decode(StateCodec.encode(s)).liveJobs().iterator().next().payloadJson())
        .isEqualTo("{ \"a\" :\t[ 1 ,2 ] }");
  }

  @Test
  void theSixCharacterEscapeOfALoneSurrogateIsJsonTextAndKeptVerbatim() {
    String payload = "{\"a\":\"\\ud800\"}";
    JobQueue.validateJson(payload);
    QueueStateMachine m = new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t"));
    QueueState s = QueueState.empty();
    m.push(s, PushRequest.of(payload), NOW);
    assertThat(StateCodec.decode(StateCodec.encode(s)).liveJobs())
        .singleElement()
        .extracting(Job::payloadJson)
        .isEqualTo(payload);
  }

  @Test
  void aKeyHoldingTheEscapeOfALoneSurrogateIsRefusedAsTheReaderCannotReadIt() {
    assertThatThrownBy(() -> JobQueue.validateJson("{\"\\ud800\":1}"))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> JobQueue.validateJson("[{\"a\":{\"x\\udc00\":1}}]"))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void whatValidationAcceptsAtItsLimitsCanBeReadBack() {
    String deepest =
        "[".repeat(QueuePolicy.MAX_PAYLOAD_DEPTH) + "]".repeat(QueuePolicy.MAX_PAYLOAD_DEPTH);
    String longest = "9".repeat(QueuePolicy.MAX_PAYLOAD_NUMBER_LENGTH);
    String widestKey = "{\"" + "k".repeat(QueuePolicy.MAX_PAYLOAD_NAME_LENGTH) + "\":1}";
    for (String payload : List.of(deepest, longest, "[" + longest + "]", widestKey)) {
      JobQueue.validateJson(payload);
      QueueStateMachine m = new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t"));
      QueueState s = QueueState.empty();
      m.push(s, PushRequest.of(payload), NOW);
      Job claimed = m.claim(s, ClaimRequest.one("w"), NOW).get(0);
      Job done = m.complete(s, claimed.id(), claimed.lease().token(), payload, NOW);
      assertThat(StateCodec.decode(StateCodec.encode(s)).finishedJobs())
          .singleElement()
          .extracting(Job::resultJson)
          .isEqualTo(payload);
      assertThat(StateCodec.decodeArchive(StateCodec.encodeArchive(List.of(done), "c")))
          .singleElement()
          .extracting(Job::payloadJson)
          .isEqualTo(payload);
    }
    for (String beyond :
        List.of(
            "[" + deepest + "]",
            longest + "9",
            "-" + longest + "9",
            "{\"" + "k".repeat(QueuePolicy.MAX_PAYLOAD_NAME_LENGTH + 1) + "\":1}")) {
      assertThatThrownBy(() -> JobQueue.validateJson(beyond))
          .isInstanceOf(InvalidRequestException.class);
    }
  }

  @Test
  void aReopenedQueueGivesThePayloadBackExactly() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    StoreLocation at = new StoreLocation(memory, "exact.json");
    String payload =
        "{\"big\":1e999999999,\"precise\":0.1000000000000000000000001,\"e\":1E+2,"
            + "\"s\":\"\\u00e9\\ud83d\\ude00\"}";
    String id;
    try (JobQueue q = JobQueue.open(at, QueueOptions.defaults())) {
      id = q.push(PushRequest.of(payload)).get().jobId();
      assertThat(q.get(id).get().payloadJson()).isEqualTo(payload);
    }
    try (JobQueue q = JobQueue.open(at, QueueOptions.defaults())) {
      assertThat(q.get(id).get().payloadJson()).isEqualTo(payload);
    }
  }

  @Provide
  Arbitrary<String> jsonTexts() {
    return json(4);
  }

  private static Arbitrary<String> json(int depth) {
    Arbitrary<String> scalars =
        Arbitraries.oneOf(
            Arbitraries.of(
                "null",
                "true",
                "false",
                "-0",
                "0",
                "1E+2",
                "1e999999999",
                "-1.5e-400",
                "0.1000000000000000000000001",
                "12345678901234567890123",
                "3.0",
                "-7"),
            Arbitraries.bigIntegers()
                .between(
                    java.math.BigInteger.TEN.pow(40).negate(), java.math.BigInteger.TEN.pow(40))
                .map(Object::toString),
            strings());
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<String> inner = json(depth - 1);
    Arbitrary<String> ws = Arbitraries.of("", "", " ", "\n  ", "\t");
    Arbitrary<String> arrays =
        Combinators.combine(inner.list().ofMaxSize(4), ws)
            .as((items, w) -> "[" + w + String.join("," + w, items) + w + "]");
    // keys never hold a lone surrogate's escape: validation refuses those (tested above)
    Arbitrary<String> keys = strings().filter(k -> !k.contains("\\ud800"));
    Arbitrary<String> members =
        Combinators.combine(keys, ws, inner).as((k, w, v) -> k + w + ":" + w + v);
    Arbitrary<String> objects =
        Combinators.combine(members.list().ofMaxSize(4), ws)
            .as((ms, w) -> "{" + w + String.join(w + ",", ms) + w + "}");
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, scalars),
        net.jqwik.api.Tuple.of(2, arrays),
        net.jqwik.api.Tuple.of(2, objects));
  }

  /** JSON string literals: plain, escaped, and raw non-ASCII text. */
  private static Arbitrary<String> strings() {
    Arbitrary<String> pieces =
        Arbitraries.oneOf(
            Arbitraries.of(
                "\\u0000",
                "\\ud83d\\ude00",
                "\\\"",
                "\\\\",
                "\\/",
                "\\n",
                "\\u00E9",
                "\\ud800",
                "\u00e9",
                "\u6f22",
                "\ud83d\ude00",
                "\u2028",
                "a",
                "b",
                " "),
            Arbitraries.strings().withCharRange('#', '[').ofMaxLength(5));
    return pieces.list().ofMaxSize(6).map(p -> "\"" + String.join("", p) + "\"");
  }
}
