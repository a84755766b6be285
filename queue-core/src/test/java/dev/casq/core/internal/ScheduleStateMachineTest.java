package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.InvalidRequestException;
import dev.casq.api.PayloadTooLargeException;
import dev.casq.api.Schedule;
import dev.casq.api.ScheduleInfo;
import dev.casq.core.EngineOptions;
import dev.casq.core.QueuePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Recurring schedules in the state machine: the tick fires them, the object keeps them. */
class ScheduleStateMachineTest {
  private static final Instant T0 = Instant.parse("2026-05-01T10:00:20Z");
  private static final String PAYLOAD = "{\"report\" : \"daily\", \"n\":1.50e2, \"s\":\"\\u00e9\"}";
  private final QueueStateMachine m =
      new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("tok"));
  private QueueState s = QueueState.empty();

  private Schedule hourly() {
    return Schedule.cron("report", "0 * * * *", PAYLOAD)
        .withType("report")
        .withPriority(7)
        .withMaxAttempts(3);
  }

  @Test
  void aDueScheduleFiresOneJobAndMovesToItsNextFire() {
    ScheduleInfo put = m.putSchedule(s, hourly(), T0);
    assertThat(put.nextFireAt()).isEqualTo(Instant.parse("2026-05-01T11:00:00Z"));

    m.tick(s, Instant.parse("2026-05-01T10:59:59Z"));
    assertThat(s.liveJobs()).isEmpty();

    Instant fire = Instant.parse("2026-05-01T11:00:00Z");
    m.tick(s, fire);
    m.tick(s, fire.plusMillis(5)); // a later tick in the same second fires nothing more
    assertThat(s.liveJobs()).hasSize(1);
    Job job = s.liveJobs().iterator().next();
    assertThat(job.payloadJson()).isEqualTo(PAYLOAD); // byte for byte
    assertThat(job.type()).isEqualTo("report");
    assertThat(job.priority()).isEqualTo(7);
    assertThat(job.maxAttempts()).isEqualTo(3);
    assertThat(job.idempotencyKey()).isEqualTo("casq:schedule:report:2026-05-01T11:00:00Z");
    ScheduleInfo info = m.schedules(s, fire).get(0);
    assertThat(info.nextFireAt()).isEqualTo(Instant.parse("2026-05-01T12:00:00Z"));
    assertThat(info.lastFireAt()).isEqualTo(fire);
    assertThat(info.lastJobId()).isEqualTo(job.id());
    assertThat(Timers.next(s, EngineOptions.defaults()))
        .isEqualTo(Instant.parse("2026-05-01T12:00:00Z"));
  }

  @Test
  void afterDowntimeFireOncePushesOneJobForTheMissedFiresThenContinues() {
    m.putSchedule(s, hourly(), T0);
    Instant back = Instant.parse("2026-05-01T15:20:00Z"); // 11:00..15:00 missed
    m.tick(s, back);
    assertThat(s.liveJobs()).hasSize(1);
    assertThat(s.liveJobs().iterator().next().idempotencyKey())
        .isEqualTo("casq:schedule:report:2026-05-01T11:00:00Z");
    assertThat(m.schedules(s, back).get(0).nextFireAt())
        .isEqualTo(Instant.parse("2026-05-01T16:00:00Z"));
  }

  @Test
  void afterDowntimeSkipPushesNothingButAFireWithinTheThresholdStillRuns() {
    m.putSchedule(s, hourly().withMisfire(Schedule.Misfire.SKIP), T0);
    m.tick(s, Instant.parse("2026-05-01T15:20:00Z"));
    assertThat(s.liveJobs()).isEmpty();
    assertThat(m.schedules(s, Instant.parse("2026-05-01T15:20:00Z")).get(0).nextFireAt())
        .isEqualTo(Instant.parse("2026-05-01T16:00:00Z"));
    m.tick(s, Instant.parse("2026-05-01T16:00:45Z")); // 45 s late: on time
    assertThat(s.liveJobs()).hasSize(1);
  }

  @Test
  void intervalSchedulesFireEveryIntervalFromWhenTheyWerePut() {
    m.putSchedule(s, Schedule.every("tick", Duration.ofMinutes(10), "1"), T0);
    List<Instant> fires = new ArrayList<>();
    for (Instant now = T0; now.isBefore(T0.plus(Duration.ofMinutes(35))); ) {
      now = now.plusSeconds(1);
      int before = s.liveJobs().size();
      m.tick(s, now);
      if (s.liveJobs().size() > before) {
        fires.add(now);
      }
    }
    assertThat(fires)
        .containsExactly(
            T0.plus(Duration.ofMinutes(10)),
            T0.plus(Duration.ofMinutes(20)),
            T0.plus(Duration.ofMinutes(30)));
  }

  @Test
  void puttingTheSameScheduleAgainKeepsItsNextFireAndAChangeRecomputesIt() {
    m.putSchedule(s, Schedule.every("tick", Duration.ofMinutes(10), "1"), T0);
    ScheduleInfo again =
        m.putSchedule(s, Schedule.every("tick", Duration.ofMinutes(10), "1"), T0.plusSeconds(300));
    assertThat(again.nextFireAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
    ScheduleInfo changed =
        m.putSchedule(s, Schedule.every("tick", Duration.ofMinutes(20), "1"), T0.plusSeconds(300));
    assertThat(changed.nextFireAt()).isEqualTo(T0.plusSeconds(300).plus(Duration.ofMinutes(20)));
    assertThat(m.schedules(s, T0)).hasSize(1);
  }

  @Test
  void deleteRemovesTheScheduleAndNothingFiresAfterIt() {
    m.putSchedule(s, hourly(), T0);
    assertThat(m.deleteSchedule(s, "report", T0)).isTrue();
    assertThat(m.deleteSchedule(s, "report", T0)).isFalse();
    m.tick(s, T0.plus(Duration.ofHours(3)));
    assertThat(s.liveJobs()).isEmpty();
    assertThat(Timers.next(s, EngineOptions.defaults())).isNull();
  }

  @Test
  void badSchedulesAreRefusedAndChangeNothing() {
    m.putSchedule(s, hourly(), T0);
    byte[] before = StateCodec.encode(s);
    assertRefused(Schedule.cron("x", "0 25 * * *", "{}"), InvalidRequestException.class);
    assertRefused(Schedule.cron("x", "0 0 30 2 *", "{}"), InvalidRequestException.class);
    assertRefused(
        Schedule.cron("x", "0 0 * * *", "\"" + "a".repeat(70_000) + "\""),
        PayloadTooLargeException.class);
    assertThat(StateCodec.encode(s)).isEqualTo(before);
    for (int i = 1; i < QueueStateMachine.MAX_SCHEDULES; i++) {
      m.putSchedule(s, Schedule.every("s" + i, Duration.ofHours(1), "{}"), T0);
    }
    byte[] full = StateCodec.encode(s);
    assertThatThrownBy(
            () -> m.putSchedule(s, Schedule.every("one-more", Duration.ofHours(1), "{}"), T0))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("the limit");
    assertThat(StateCodec.encode(s)).isEqualTo(full);
  }

  private void assertRefused(Schedule bad, Class<? extends Exception> type) {
    assertThatThrownBy(() -> m.putSchedule(s, bad, T0)).isInstanceOf(type);
  }

  @Test
  void theQueueObjectKeepsSchedulesUnderItsOwnFormatAndOlderObjectsReadFine() {
    assertThat(new String(StateCodec.encode(s), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"format\":\"casq-queue/1\"")
        .doesNotContain("schedules");
    m.putSchedule(s, hourly().inZone("Europe/Berlin"), T0);
    m.putSchedule(s, Schedule.every("tick", Duration.ofSeconds(90), "[1, 2]"), T0);
    m.tick(s, Instant.parse("2026-05-01T11:00:00Z"));
    byte[] bytes = StateCodec.encode(s);
    assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"format\":\"casq-queue/4\"");
    QueueState read = StateCodec.decode(bytes);
    assertThat(m.schedules(read, T0)).isEqualTo(m.schedules(s, T0));
    assertThat(m.schedules(read, T0).get(0).schedule().payloadJson()).isEqualTo(PAYLOAD);
    assertThat(StateCodec.encode(read)).isEqualTo(bytes);
    m.deleteSchedule(read, "report", T0);
    m.deleteSchedule(read, "tick", T0);
    assertThat(new String(StateCodec.encode(read), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"format\":\"casq-queue/1\"");
  }

  @Test
  void twoWritersThatReadTheSameRevisionPushTheSameJobForAFire() {
    m.putSchedule(s, hourly(), T0);
    byte[] sealed = StateCodec.encode(s);
    QueueState a = StateCodec.decode(sealed);
    QueueState b = StateCodec.decode(sealed);
    Instant fire = Instant.parse("2026-05-01T11:00:02Z");
    m.tick(a, fire);
    m.tick(b, fire.plusMillis(300));
    // whichever write wins, the job for the fire has the same key and id
    assertThat(a.liveJobs())
        .singleElement()
        .extracting(Job::idempotencyKey, Job::id)
        .containsExactly(
            "casq:schedule:report:2026-05-01T11:00:00Z", b.liveJobs().iterator().next().id());
    // the loser, re-reading the winner's state, fires nothing more
    QueueState reread = StateCodec.decode(StateCodec.encode(a));
    m.tick(reread, fire.plusMillis(300));
    assertThat(reread.liveJobs()).hasSize(1);
  }
}
