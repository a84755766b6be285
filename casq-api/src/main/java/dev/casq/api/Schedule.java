package dev.casq.api;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A recurring job: the queue pushes a job with this payload each time the schedule fires. A
 * schedule fires either on a cron expression, read in a time zone, or at a fixed interval.
 *
 * <p>Cron expressions have 5 fields ({@code minute hour day-of-month month day-of-week}) or 6 with
 * a leading {@code second} field; each field takes numbers, names ({@code JAN}, {@code MON}),
 * {@code *}, ranges {@code a-b}, lists {@code a,b} and steps {@code /n}; day-of-week runs 0-7 (0
 * and 7 are Sunday). The macros for once a year, month, week, day and hour are accepted: {@code
 * "@yearly"} (or annually), monthly, weekly, daily (or midnight) and hourly. Restricting both the
 * day of month and the day of week is refused. The queue checks the expression when the schedule is
 * put (this value only checks its shape).
 *
 * <p>Time zones: a wall-clock time that does not exist (a spring-forward gap) fires later by the
 * length of the gap (a daily 02:30 fires at 03:30 that day); a wall-clock time that happens twice
 * (a fall-back overlap) fires once, at its first occurrence.
 *
 * @param name the schedule's name, unique in its queue: 1 to {@value #MAX_NAME_LENGTH} characters
 *     of {@code A-Z a-z 0-9 . _ -}
 * @param cron the cron expression, or null for an interval schedule
 * @param every the interval, or null for a cron schedule: from 1 second to 3650 days
 * @param zone the time zone a cron expression is read in (UTC by default; unused by intervals)
 * @param payloadJson the payload of each job, one JSON value, kept byte for byte
 * @param type the type of each job, or null
 * @param priority the priority of each job
 * @param maxAttempts the attempts of each job, or null for the queue's default
 * @param misfire what to do about fires missed while no engine ran
 */
public record Schedule(
    String name,
    String cron,
    Duration every,
    ZoneId zone,
    String payloadJson,
    String type,
    int priority,
    Integer maxAttempts,
    Misfire misfire) {

  /** The longest schedule name. */
  public static final int MAX_NAME_LENGTH = 128;

  /** The longest cron expression. */
  public static final int MAX_CRON_LENGTH = 256;

  /** The shortest interval. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** The longest interval. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(3650);

  /**
   * How late a fire may come (the engine was busy, a takeover was under way) and still count as on
   * time rather than missed: {@link Misfire#SKIP} skips only fires later than this.
   */
  public static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(60);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /** What to do about fires that were missed while no engine or broker ran. */
  public enum Misfire {
    /**
     * Push one job for all the fires missed (carrying the earliest missed fire time in its key),
     * then go on with the next fire after now. The default.
     */
    FIRE_ONCE,
    /**
     * Push nothing for fires more than {@link #MISFIRE_THRESHOLD} late; go on with the next fire
     * after now.
     */
    SKIP
  }

  /**
   * Validates the schedule; see the class comment.
   *
   * @throws InvalidRequestException when a field is out of its bounds
   */
  public Schedule {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new InvalidRequestException(
          "schedule name must be 1 to " + MAX_NAME_LENGTH + " characters");
    }
    if (!NAME.matcher(name).matches()) {
      throw new InvalidRequestException(
          "schedule name may only hold A-Z a-z 0-9 . _ -, got '" + name + "'");
    }
    if ((cron == null) == (every == null)) {
      throw new InvalidRequestException(
          "schedule " + name + " needs exactly one of a cron expression and an interval");
    }
    if (cron != null) {
      if (cron.isBlank() || cron.length() > MAX_CRON_LENGTH) {
        throw new InvalidRequestException(
            "cron expression must be 1 to " + MAX_CRON_LENGTH + " characters");
      }
      int fields = cron.trim().split("\\s+").length;
      if (!cron.trim().startsWith("@") && fields != 5 && fields != 6) {
        throw new InvalidRequestException(
            "cron expression '"
                + cron
                + "' has "
                + fields
                + " fields; expected 5 (minute hour day month weekday) or 6 (second first)");
      }
    }
    if (every != null && (every.compareTo(MIN_INTERVAL) < 0 || every.compareTo(MAX_INTERVAL) > 0)) {
      throw new InvalidRequestException(
          "interval must be from " + MIN_INTERVAL + " to " + MAX_INTERVAL + ", got " + every);
    }
    zone = zone == null ? ZoneOffset.UTC : zone;
    if (payloadJson == null || payloadJson.isBlank()) {
      throw new InvalidRequestException("schedule " + name + " needs a JSON payload");
    }
    if (type != null && (type.isBlank() || type.length() > 128)) {
      throw new InvalidRequestException("type must be 1 to 128 characters");
    }
    if (Math.abs((long) priority) > 1_000_000) {
      throw new InvalidRequestException("priority must be within +-1000000, got " + priority);
    }
    if (maxAttempts != null && (maxAttempts < 1 || maxAttempts > 1000)) {
      throw new InvalidRequestException("maxAttempts must be from 1 to 1000, got " + maxAttempts);
    }
    misfire = misfire == null ? Misfire.FIRE_ONCE : misfire;
  }

  /**
   * A schedule that fires on a cron expression, in UTC until {@link #inZone} says otherwise.
   *
   * @param name the schedule's name
   * @param cron the expression (see the class comment)
   * @param payloadJson the payload of each job
   * @return the schedule
   */
  public static Schedule cron(String name, String cron, String payloadJson) {
    Objects.requireNonNull(cron, "cron");
    return new Schedule(name, cron, null, null, payloadJson, null, 0, null, null);
  }

  /**
   * A schedule that fires every {@code interval}, the first time one interval after it is put.
   *
   * @param name the schedule's name
   * @param interval the interval
   * @param payloadJson the payload of each job
   * @return the schedule
   */
  public static Schedule every(String name, Duration interval, String payloadJson) {
    Objects.requireNonNull(interval, "interval");
    return new Schedule(name, null, interval, null, payloadJson, null, 0, null, null);
  }

  /**
   * This schedule read in a time zone.
   *
   * @param z the zone
   * @return a new schedule
   */
  public Schedule inZone(ZoneId z) {
    return new Schedule(name, cron, every, z, payloadJson, type, priority, maxAttempts, misfire);
  }

  /**
   * This schedule read in a time zone given by its id ({@code Europe/Berlin}, {@code UTC}).
   *
   * @param zoneId the zone's id
   * @return a new schedule
   * @throws InvalidRequestException for an unknown zone
   */
  public Schedule inZone(String zoneId) {
    return inZone(zone(zoneId));
  }

  /**
   * This schedule with a job type.
   *
   * @param t the type, or null
   * @return a new schedule
   */
  public Schedule withType(String t) {
    return new Schedule(name, cron, every, zone, payloadJson, t, priority, maxAttempts, misfire);
  }

  /**
   * This schedule with a job priority.
   *
   * @param p the priority
   * @return a new schedule
   */
  public Schedule withPriority(int p) {
    return new Schedule(name, cron, every, zone, payloadJson, type, p, maxAttempts, misfire);
  }

  /**
   * This schedule with an attempt limit for its jobs.
   *
   * @param attempts the limit, or null for the queue's default
   * @return a new schedule
   */
  public Schedule withMaxAttempts(Integer attempts) {
    return new Schedule(name, cron, every, zone, payloadJson, type, priority, attempts, misfire);
  }

  /**
   * This schedule with a misfire rule.
   *
   * @param m the rule
   * @return a new schedule
   */
  public Schedule withMisfire(Misfire m) {
    return new Schedule(name, cron, every, zone, payloadJson, type, priority, maxAttempts, m);
  }

  /**
   * A zone from its id, or a clear error.
   *
   * @param zoneId the id
   * @return the zone
   * @throws InvalidRequestException for an unknown or malformed id
   */
  public static ZoneId zone(String zoneId) {
    if (zoneId == null || zoneId.isBlank()) {
      throw new InvalidRequestException("time zone must not be empty");
    }
    try {
      return ZoneId.of(zoneId);
    } catch (DateTimeException e) {
      throw new InvalidRequestException("unknown time zone '" + zoneId + "'");
    }
  }
}
