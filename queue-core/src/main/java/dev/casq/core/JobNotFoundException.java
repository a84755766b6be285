package dev.casq.core;

/** No live job has this id (it never existed, or it finished and left the hot state). */
public class JobNotFoundException extends QueueException {
  private static final long serialVersionUID = 1L;

  public JobNotFoundException(String jobId) {
    super("no live job with id '" + jobId + "'");
  }
}
