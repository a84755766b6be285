package dev.casq.api;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Some jobs of a batch push were rejected (the others were pushed). {@link #results()} has one
 * entry per job in order: the result, or null where {@link #errors()} has the rejection.
 */
public class BatchPushException extends CasqException {
  private static final long serialVersionUID = 1L;
  private final transient List<PushResult> results;
  private final transient Map<Integer, CasqException> errors;

  /**
   * Some jobs of a batch push were refused.
   *
   * @param results the result of each job, null where it was refused
   * @param errors the error of each refused job, by index in the batch
   */
  public BatchPushException(List<PushResult> results, Map<Integer, CasqException> errors) {
    super(summary(results.size(), errors));
    this.results = Collections.unmodifiableList(results);
    this.errors = Map.copyOf(errors);
  }

  /** One entry per job, in the order pushed; null for a rejected job. */
  public List<PushResult> results() {
    return results;
  }

  /** The rejections by position in the batch. */
  public Map<Integer, CasqException> errors() {
    return errors;
  }

  private static String summary(int size, Map<Integer, CasqException> errors) {
    int first = errors.keySet().stream().mapToInt(Integer::intValue).min().orElse(-1);
    return errors.size()
        + " of "
        + size
        + " jobs were rejected; the first (#"
        + first
        + "): "
        + (first < 0 ? "" : errors.get(first).getMessage());
  }
}
