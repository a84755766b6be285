package dev.casq.wire;

import java.util.List;

/**
 * The answer to a batch completion: one result per job, in the order sent; each says the job was
 * completed or why it was not (that job only: the others were decided on their own).
 *
 * @param results the results
 */
public record CompleteAllReply(List<Result> results) {
  /** Copies the list. */
  public CompleteAllReply {
    results = List.copyOf(results);
  }

  /**
   * One job's result: {@code error} is null when the job was completed.
   *
   * @param id the job id
   * @param error why the job was not completed, or null
   */
  public record Result(String id, ErrorReply error) {
    /** Whether the job was completed. */
    public boolean completed() {
      return error == null;
    }
  }
}
