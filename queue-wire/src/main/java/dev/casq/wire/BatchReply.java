package dev.casq.wire;

import java.util.List;

/**
 * The answer to a batch push: one result per job, in order; each is a push or an error.
 *
 * @param results the results
 */
public record BatchReply(List<Result> results) {
  /** Copies the list. */
  public BatchReply {
    results = List.copyOf(results);
  }

  /**
   * One job's result: exactly one of the two is set.
   *
   * @param pushed the push, or null
   * @param error why the job was refused, or null
   */
  public record Result(PushReply pushed, ErrorReply error) {}
}
