package dev.casq.api;

/** No live job has this id (it never existed, or it finished and left the hot state). */
public class JobNotFoundException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error for a job id that names no live job.
   *
   * @param jobId the id that was looked up
   */
  public JobNotFoundException(String jobId) {
    super("no live job with id '" + jobId + "'");
  }
}
