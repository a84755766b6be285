package dev.casq.core.internal;

import dev.casq.api.InvalidRequestException;
import dev.casq.api.Schedule;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * When a schedule fires: a pure function of the schedule and an instant (no clock is read).
 *
 * <p>A cron expression is matched against wall-clock times of the schedule's zone: Quartz's {@link
 * CronExpression}, evaluated in UTC (which has no daylight saving), lists the matching wall-clock
 * times in order, and each is mapped to an instant with {@link ZonedDateTime#ofLocal}: a time in a
 * spring-forward gap moves later by the gap's length, a time in a fall-back overlap takes its
 * earlier offset (so it fires once). That mapping never goes back in time, so the first mapped
 * instant after a given one is the next fire.
 */
final class FireTimes {
  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");
  private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};
  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

  private final CronExpression cron; // null for an interval schedule
  private final Duration every;
  private final ZoneId zone;

  private FireTimes(CronExpression cron, Duration every, ZoneId zone) {
    this.cron = cron;
    this.every = every;
    this.zone = zone;
  }

  /**
   * The fire times of a schedule.
   *
   * @throws InvalidRequestException for a cron expression that does not parse
   */
  static FireTimes of(Schedule s) {
    if (s.every() != null) {
      return new FireTimes(null, s.every(), ZoneOffset.UTC);
    }
    return new FireTimes(parse(s.cron()), null, s.zone());
  }

  /**
   * The first fire strictly after {@code after}; for an interval schedule, the first of {@code
   * anchor + k * every} after it. Null when a cron expression never matches again.
   */
  Instant nextAfter(Instant after, Instant anchor) {
    if (cron == null) {
      long step = every.toMillis();
      long since = after.toEpochMilli() - anchor.toEpochMilli();
      long k = since < 0 ? 0 : since / step + 1;
      return Instants.saturatingPlus(anchor, Duration.ofMillis(step).multipliedBy(k));
    }
    LocalDateTime from = after.atZone(zone).toLocalDateTime();
    // a wall-clock time in a gap that ended just before `after` maps to after it: start before
    ZoneOffsetTransition previous = zone.getRules().previousTransition(after.plusNanos(1));
    if (previous != null && previous.isGap()) {
      Instant gapEnd = previous.getInstant().plus(previous.getDuration());
      if (after.isBefore(gapEnd) && previous.getDateTimeBefore().isBefore(from)) {
        from = previous.getDateTimeBefore().minusSeconds(1);
      }
    }
    LocalDateTime local = from;
    for (int i = 0; i < 100_000; i++) {
      Date next = cron.getNextValidTimeAfter(Date.from(local.toInstant(ZoneOffset.UTC)));
      if (next == null) {
        return null;
      }
      local = LocalDateTime.ofInstant(next.toInstant(), ZoneOffset.UTC);
      Instant at = ZonedDateTime.ofLocal(local, zone, null).toInstant();
      if (at.isAfter(after)) {
        return at;
      }
    }
    return null;
  }

  /** A standard cron expression in Quartz's dialect (seconds first, weekdays named). */
  static CronExpression parse(String expression) {
    String text = expression.trim();
    String macro = MACROS.get(text.toLowerCase(Locale.ROOT));
    if (text.startsWith("@") && macro == null) {
      throw bad(expression, "unknown macro (use @yearly, @monthly, @weekly, @daily, @hourly)");
    }
    String[] f = (macro != null ? macro : text).split("\\s+");
    if (f.length != 5 && f.length != 6) {
      throw bad(
          expression, "expected 5 fields (minute hour day month weekday) or 6 (second first)");
    }
    String[] six = f.length == 6 ? f : new String[] {"0", f[0], f[1], f[2], f[3], f[4]};
    for (int i = 0; i < 6; i++) {
      String field = six[i];
      boolean named = i >= 4; // month and day of week take names (JAN, MON)
      if (!field.matches(named ? "([0-9*,/-]|[A-Za-z]{3})+" : "[0-9*,/-]+")) {
        throw bad(
            expression,
            "field '" + field + "' may only hold digits" + (named ? ", names" : "") + ", * , - /");
      }
    }
    String dom = six[3];
    String dow = weekdays(six[5], expression);
    if (!"*".equals(dom) && !"*".equals(six[5])) {
      throw bad(
          expression, "restricting both the day of month and the day of week is not supported");
    }
    if ("*".equals(six[5])) {
      dow = "?";
    } else {
      dom = "?";
    }
    String quartz =
        String.join(" ", six[0], six[1], six[2], dom, six[4].toUpperCase(Locale.ROOT), dow);
    try {
      CronExpression c = new CronExpression(quartz);
      c.setTimeZone(UTC);
      return c;
    } catch (ParseException | RuntimeException e) {
      throw bad(expression, e.getMessage());
    }
  }

  /** Day-of-week numbers 0-7 (0 and 7 Sunday) as names, which Quartz numbers differently. */
  private static String weekdays(String field, String expression) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < field.length()) {
      char c = field.charAt(i);
      if (Character.isDigit(c)) {
        int j = i;
        while (j < field.length() && Character.isDigit(field.charAt(j))) {
          j++;
        }
        boolean step = i > 0 && field.charAt(i - 1) == '/';
        String number = field.substring(i, j);
        if (step) {
          out.append(number);
        } else {
          int day = Integer.parseInt(number.length() > 2 ? "99" : number);
          if (day > 7) {
            throw bad(expression, "day of week must be 0-7, got " + number);
          }
          out.append(DAYS[day]);
        }
        i = j;
      } else {
        out.append(Character.toUpperCase(c));
        i++;
      }
    }
    return out.toString();
  }

  private static InvalidRequestException bad(String expression, String why) {
    return new InvalidRequestException("invalid cron expression '" + expression + "': " + why);
  }
}
