package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The codec writes job lines and the archive list with its own byte writer; a Jackson generator
 * making the same calls is the reference it must match byte for byte, for any text (quotes, control
 * characters, non-ASCII, emoji) and any instant. (The one difference from Jackson's defaults:
 * characters outside the BMP are written as UTF-8, not as escaped surrogate pairs.)
 */
class JobEncodingPropertiesTest {
  /** Writes characters outside the BMP as UTF-8, not as escaped surrogate pairs, like casq. */
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(
              com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .build();

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Property(tries = 1000)
  void jobLinesAreWhatAJacksonGeneratorWrites(@ForAll("jobs") Job job) throws IOException {
    byte[] written = StateCodec.encoded(job);
    assertThat(new String(written, StandardCharsets.UTF_8))
        .isEqualTo(new String(reference(job), StandardCharsets.UTF_8));
  }

  @Property(tries = 300)
  void everyVersionOfAJobSharesTheTailButNotTheHead(@ForAll("jobs") Job job) throws IOException {
    Assume.queued(job);
    StateCodec.encoded(job);
    Job leased = job.leased(new Lease("w\"1", "tok", Instant.parse("2026-11-25T10:00:00.5Z")));
    Job done =
        leased.finished(
            JobStatus.COMPLETED, Instant.parse("2026-11-25T10:00:01Z"), null, "{\"ok\":true}");
    assertThat(leased.cachedTail()).isSameAs(job.cachedTail());
    assertThat(new String(StateCodec.encoded(leased), StandardCharsets.UTF_8))
        .isEqualTo(new String(reference(leased), StandardCharsets.UTF_8));
    assertThat(new String(StateCodec.encoded(done), StandardCharsets.UTF_8))
        .isEqualTo(new String(reference(done), StandardCharsets.UTF_8));
  }

  @Property(tries = 500)
  void jobLinesDecodeToTheSameJob(@ForAll("jobs") Job job) throws IOException {
    Job back = StateCodec.decodeJob(StateCodec.encoded(job));
    assertThat(back)
        .usingRecursiveComparison()
        .ignoringFields("encoded", "tail", "payloadJson", "resultJson")
        .isEqualTo(job);
    assertThat(MAPPER.readTree(back.payloadJson())).isEqualTo(MAPPER.readTree(job.payloadJson()));
    if (job.resultJson() != null) {
      assertThat(MAPPER.readTree(back.resultJson())).isEqualTo(MAPPER.readTree(job.resultJson()));
    }
  }

  @Property(tries = 300)
  void namedArchivesRoundTripAndRememberedKeysAreNotWritten(
      @ForAll("texts") String name, @ForAll("instants") Instant at, @ForAll("texts") String key)
      throws IOException {
    QueueState s = QueueState.empty();
    s.archives.add(new QueueState.ArchiveRef("q.json.archive/" + name, 3, at));
    s.archives.add(new QueueState.ArchiveRef("q.json.archive/2", 1000, at.plusSeconds(1)));
    s.remember(key, "j7", at.plusSeconds(60));
    byte[] doc = StateCodec.encode(s);
    assertThat(MAPPER.readTree(doc).has("rememberedKeys")).isFalse();
    QueueState back = StateCodec.decode(doc);
    assertThat(back.archives()).containsExactlyElementsOf(s.archives);
    assertThat(back.rememberedKeyCount()).isZero();
  }

  @Test
  void keysListedByEarlierVersionsAreStillRead() {
    String old =
        "{\"format\":\"casq-queue/1\",\"revision\":3,\"commitId\":\"c\","
            + "\"updatedAt\":null,\"broker\":null,\"nextSeq\":8,\"counters\":{},"
            + "\"recentCommits\":[],\"jobs\":[],\"finished\":[],\"rememberedKeys\":{"
            + "\"signup-42\":{\"job\":\"j7\",\"forgetAt\":\"2026-11-25T18:29:27Z\"}}}";
    QueueState s = StateCodec.decode(old.getBytes(StandardCharsets.UTF_8));
    assertThat(s.jobForKey("signup-42", Instant.parse("2026-11-25T18:29:26Z"))).isEqualTo("j7");
    assertThat(s.jobForKey("signup-42", Instant.parse("2026-11-25T18:29:27Z"))).isNull();
    assertThat(s.archives()).isEmpty();
  }

  /** The job line as a Jackson generator writes it (the format of docs/state-format.md). */
  private static byte[] reference(Job j) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('\n');
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("id", j.id());
      g.writeStringField("status", j.status().wireName());
      g.writeStringField("runAt", j.runAt().toString());
      g.writeNumberField("attempts", j.attempts());
      if (j.lease() != null) {
        g.writeFieldName("lease");
        g.writeStartObject();
        g.writeStringField("worker", j.lease().worker());
        g.writeStringField("token", j.lease().token());
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
      g.writeNumberField("seq", j.seq());
      if (j.type() != null) {
        g.writeStringField("type", j.type());
      }
      g.writeNumberField("priority", j.priority());
      g.writeNumberField("maxAttempts", j.maxAttempts());
      g.writeStringField("createdAt", j.createdAt().toString());
      if (j.idempotencyKey() != null) {
        g.writeStringField("key", j.idempotencyKey());
      }
      g.writeFieldName("payload");
      g.writeRawValue(j.payloadJson());
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMinLength(1).ofMaxLength(20).withCharRange(' ', '~'),
        Arbitraries.strings()
            .ofMinLength(1)
            .ofMaxLength(20)
            .withCharRange('\u0000', '\u00ff')
            .withChars('"', '\\', '\u2028', '\u20ac', '\uffff'),
        Arbitraries.of(
            "plain",
            "quote\"d",
            "back\\slash",
            "tab\tnew\nline",
            "ctl\u0001\u001f",
            "caf\u00e9",
            "\u6f22\u5b57",
            "emoji \ud83d\ude00",
            "del\u007f"));
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Combinators.combine(
            Arbitraries.longs().between(-5_000_000_000L, 300_000_000_000L),
            Arbitraries.oneOf(
                Arbitraries.just(0),
                Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
                Arbitraries.integers().between(0, 999_999).map(us -> us * 1_000),
                Arbitraries.integers().between(0, 999_999_999)))
        .as(Instant::ofEpochSecond);
  }

  @Provide
  Arbitrary<Job> jobs() {
    Arbitrary<String> payloads =
        Arbitraries.oneOf(
            Arbitraries.of(
                "1",
                "null",
                "\"s\"",
                "[1,2,{\"a\":null}]",
                "{\"to\":\"ada@example.com\"}",
                "{\"t\":\"caf\u00e9 \ud83d\ude00\"}",
                "{ \"spaced\" : [ 1 , 2 ] }"),
            texts()
                .map(
                    t -> {
                      try {
                        return MAPPER.writeValueAsString(Map.of("text", t));
                      } catch (IOException e) {
                        throw new IllegalStateException(e);
                      }
                    }));
    Arbitrary<JobStatus> statuses = Arbitraries.of(JobStatus.values());
    Arbitrary<Lease> leases =
        Combinators.combine(
                texts(), Arbitraries.strings().alpha().numeric().ofLength(32), instants())
            .as(Lease::new);
    return Combinators.combine(
            Arbitraries.longs().between(0, Long.MAX_VALUE - 1),
            texts().injectNull(0.5),
            payloads,
            Arbitraries.integers().between(-1_000_000, 1_000_000),
            instants(),
            Arbitraries.integers().between(0, 1000),
            texts().injectNull(0.5),
            statuses)
        .flatAs(
            (seq, type, payload, priority, at, attempts, key, status) ->
                Combinators.combine(
                        leases,
                        texts().injectNull(0.5),
                        instants(),
                        payloads.filter(p -> !p.equals("null")).injectNull(0.5))
                    .as(
                        (lease, error, finishedAt, result) ->
                            new Job(
                                "j" + seq,
                                seq,
                                type,
                                payload,
                                priority,
                                at,
                                attempts,
                                Math.max(1, attempts),
                                at.minusSeconds(1),
                                key,
                                status,
                                status == JobStatus.LEASED ? lease : null,
                                error,
                                status.isFinished() ? finishedAt : null,
                                status == JobStatus.COMPLETED ? result : null)));
  }

  private static final class Assume {
    static void queued(Job j) {
      net.jqwik.api.Assume.that(j.status() == JobStatus.QUEUED);
    }
  }
}
