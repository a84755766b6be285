package dev.casq.api;

import java.time.Instant;

/**
 * Which jobs {@link Queue#list}, {@link Queue#retry(JobFilter)} and {@link Queue#purge(JobFilter)}
 * take: every field is optional (null takes any).
 *
 * @param status the jobs' status, or null for any
 * @param type the jobs' type, or null for any
 * @param createdFrom jobs pushed at or after this time, or null
 * @param createdTo jobs pushed before this time, or null
 */
public record JobFilter(JobStatus status, String type, Instant createdFrom, Instant createdTo) {

  /**
   * Every job.
   *
   * @return a filter that takes every job
   */
  public static JobFilter all() {
    return new JobFilter(null, null, null, null);
  }

  /**
   * Every dead job.
   *
   * @return a filter that takes the dead jobs
   */
  public static JobFilter dead() {
    return all().status(JobStatus.DEAD);
  }

  /**
   * This filter with another status.
   *
   * @param s the status, or null for any
   * @return the new filter
   */
  public JobFilter status(JobStatus s) {
    return new JobFilter(s, type, createdFrom, createdTo);
  }

  /**
   * This filter with another type.
   *
   * @param t the type, or null for any
   * @return the new filter
   */
  public JobFilter type(String t) {
    return new JobFilter(status, t, createdFrom, createdTo);
  }

  /**
   * This filter with another push-time range.
   *
   * @param from jobs pushed at or after this time, or null
   * @param to jobs pushed before this time, or null
   * @return the new filter
   */
  public JobFilter createdBetween(Instant from, Instant to) {
    return new JobFilter(status, type, from, to);
  }
}
