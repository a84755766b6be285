package dev.casq.sample;

/** The payloads of the sample's two job types. */
public final class Jobs {
  private Jobs() {}

  /** The job type of {@link Email}. */
  public static final String EMAIL = "email";

  /** The job type of {@link Report}. */
  public static final String REPORT = "report";

  /**
   * An email to send.
   *
   * @param to the recipient
   * @param subject the subject
   */
  public record Email(String to, String subject) {}

  /**
   * A report to build.
   *
   * @param name the report's name
   * @param pages how many pages
   */
  public record Report(String name, int pages) {}

  /**
   * A job a handler has run: what the sample's {@code GET /jobs/handled} lists.
   *
   * @param id the job's id
   * @param type its type
   * @param summary what the handler did
   */
  public record Handled(String id, String type, String summary) {}
}
