package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.InvalidRequestException;
import dev.casq.api.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fire times of cron and interval schedules, across minutes, hours, days and DST changes. */
class FireTimesTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private static List<Instant> fires(Schedule s, Instant from, int n) {
    FireTimes t = FireTimes.of(s);
    List<Instant> out = new ArrayList<>();
    Instant at = from;
    for (int i = 0; i < n; i++) {
      at = t.nextAfter(at, from);
      out.add(at);
    }
    return out;
  }

  private static Schedule cron(String expr, ZoneId zone) {
    return Schedule.cron("s", expr, "{}").inZone(zone);
  }

  @Test
  void everyMinuteAndEveryFifteenSecondsInUtc() {
    Instant from = Instant.parse("2026-05-01T10:00:30Z");
    assertThat(fires(Schedule.cron("s", "* * * * *", "{}"), from, 3))
        .containsExactly(
            Instant.parse("2026-05-01T10:01:00Z"),
            Instant.parse("2026-05-01T10:02:00Z"),
            Instant.parse("2026-05-01T10:03:00Z"));
    assertThat(fires(Schedule.cron("s", "*/15 * * * * *", "{}"), from, 3))
        .containsExactly(
            Instant.parse("2026-05-01T10:00:45Z"),
            Instant.parse("2026-05-01T10:01:00Z"),
            Instant.parse("2026-05-01T10:01:15Z"));
  }

  @Test
  void hoursAcrossMidnightAndAMonthEnd() {
    Instant from = Instant.parse("2026-01-31T22:10:00Z");
    assertThat(fires(Schedule.cron("s", "5 23,1 * * *", "{}"), from, 3))
        .containsExactly(
            Instant.parse("2026-01-31T23:05:00Z"),
            Instant.parse("2026-02-01T01:05:00Z"),
            Instant.parse("2026-02-01T23:05:00Z"));
  }

  @Test
  void weekdaysUseTheStandardNumbering() {
    // 2026-05-01 is a Friday; 1-5 is Monday to Friday, 0 and 7 are Sunday
    Instant from = Instant.parse("2026-05-01T12:00:00Z");
    assertThat(fires(Schedule.cron("s", "0 9 * * 1-5", "{}"), from, 2))
        .containsExactly(
            Instant.parse("2026-05-04T09:00:00Z"), Instant.parse("2026-05-05T09:00:00Z"));
    assertThat(fires(Schedule.cron("s", "0 9 * * 0", "{}"), from, 1))
        .containsExactly(Instant.parse("2026-05-03T09:00:00Z"));
    assertThat(fires(Schedule.cron("s", "0 9 * * 7", "{}"), from, 1))
        .containsExactly(Instant.parse("2026-05-03T09:00:00Z"));
    assertThat(fires(Schedule.cron("s", "0 9 * * sat,SUN", "{}"), from, 2))
        .containsExactly(
            Instant.parse("2026-05-02T09:00:00Z"), Instant.parse("2026-05-03T09:00:00Z"));
    assertThat(fires(Schedule.cron("s", "@daily", "{}"), from, 1))
        .containsExactly(Instant.parse("2026-05-02T00:00:00Z"));
  }

  @Test
  void aDailyJobInTheSpringForwardGapFiresLaterByTheGap() {
    // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day
    Instant from = Instant.parse("2026-03-27T12:00:00Z");
    assertThat(fires(cron("30 2 * * *", BERLIN), from, 3))
        .containsExactly(
            ZonedDateTime.parse("2026-03-28T02:30+01:00[Europe/Berlin]").toInstant(),
            ZonedDateTime.parse("2026-03-29T03:30+02:00[Europe/Berlin]").toInstant(),
            ZonedDateTime.parse("2026-03-30T02:30+02:00[Europe/Berlin]").toInstant());
  }

  @Test
  void aDailyJobInTheFallBackOverlapFiresOnce() {
    // Berlin, 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice
    Instant from = Instant.parse("2026-10-24T12:00:00Z");
    assertThat(fires(cron("30 2 * * *", BERLIN), from, 2))
        .containsExactly(
            ZonedDateTime.parse("2026-10-25T02:30+02:00[Europe/Berlin]").toInstant(),
            ZonedDateTime.parse("2026-10-26T02:30+01:00[Europe/Berlin]").toInstant());
  }

  @Test
  void aHalfHourlyJobAcrossBothChangesNeitherDoublesNorGoesBack() {
    // New York 2026-03-08 02:00 EST -> 03:00 EDT; 2026-11-01 02:00 EDT -> 01:00 EST
    List<Instant> spring =
        fires(cron("0,30 * * * *", NEW_YORK), Instant.parse("2026-03-08T06:10:00Z"), 4);
    assertThat(spring)
        .containsExactly(
            Instant.parse("2026-03-08T06:30:00Z"), // 01:30 EST
            Instant.parse("2026-03-08T07:00:00Z"), // 02:00 does not exist: 03:00 EDT
            Instant.parse("2026-03-08T07:30:00Z"), // 02:30 and 03:30 EDT are one instant
            Instant.parse("2026-03-08T08:00:00Z")); // 04:00 EDT
    List<Instant> fall =
        fires(cron("0,30 * * * *", NEW_YORK), Instant.parse("2026-11-01T04:40:00Z"), 4);
    assertThat(fall)
        .containsExactly(
            Instant.parse("2026-11-01T05:00:00Z"), // 01:00 EDT
            Instant.parse("2026-11-01T05:30:00Z"), // 01:30 EDT (01:00 and 01:30 EST do not fire)
            Instant.parse("2026-11-01T07:00:00Z"), // 02:00 EST
            Instant.parse("2026-11-01T07:30:00Z"));
  }

  @Test
  void aSearchFromInsideTheGapFindsTheShiftedTime() {
    // 07:10Z is 03:10 EDT, just after the gap; 02:30 maps to 03:30 EDT = 07:30Z
    Instant from = Instant.parse("2026-03-08T07:10:00Z");
    assertThat(FireTimes.of(cron("30 2 * * *", NEW_YORK)).nextAfter(from, from))
        .isEqualTo(Instant.parse("2026-03-08T07:30:00Z"));
  }

  @Test
  void intervalsCountFromTheirAnchor() {
    Instant anchor = Instant.parse("2026-05-01T10:00:00Z");
    FireTimes t = FireTimes.of(Schedule.every("s", Duration.ofMinutes(10), "{}"));
    assertThat(t.nextAfter(anchor, anchor)).isEqualTo(Instant.parse("2026-05-01T10:10:00Z"));
    assertThat(t.nextAfter(Instant.parse("2026-05-01T10:10:00Z"), anchor))
        .isEqualTo(Instant.parse("2026-05-01T10:20:00Z"));
    assertThat(t.nextAfter(Instant.parse("2026-05-01T13:07:00Z"), anchor))
        .isEqualTo(Instant.parse("2026-05-01T13:10:00Z"));
  }

  @Test
  void badExpressionsAreClearErrors() {
    for (String bad :
        new String[] {
          "61 * * * *",
          "* * * *",
          "* * * * * * *",
          "0 9 * * 8",
          "0 9 1 * 1",
          "@sometimes",
          "0 9 ? * *",
          "0 9 L * *",
          "a b c d e"
        }) {
      assertThatThrownBy(() -> FireTimes.of(Schedule.cron("s", bad, "{}")))
          .as(bad)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("cron expression");
    }
    assertThatThrownBy(() -> Schedule.cron("s", "0 9 * * *", "{}").inZone("Mars/Olympus"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unknown time zone 'Mars/Olympus'");
  }
}
