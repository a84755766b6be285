package dev.casq.api;

import java.util.Map;
import java.util.TreeMap;

/**
 * Some jobs of a batch completion were refused; every other job of the batch was completed (each
 * job's completion is decided on its own). {@link #errors()} maps the position of each refused job
 * in the list passed to {@link Queue#completeAll} to the error that a single {@link Queue#complete}
 * of it would have raised: {@link LeaseRejectedException} (the lease expired and the job may have
 * been claimed again, or the token is wrong), {@link JobNotFoundException} (no live job has this
 * id: unknown, cancelled, or already finished). A refused job was left as it was.
 */
public class BatchCompleteException extends CasqException {
  private static final long serialVersionUID = 1L;
  private final int size;
  private final transient Map<Integer, CasqException> errors;

  /**
   * Some jobs of a batch completion were refused.
   *
   * @param size how many jobs the batch held
   * @param errors the error of each refused job, by index in the batch; not empty
   */
  public BatchCompleteException(int size, Map<Integer, CasqException> errors) {
    super(summary(size, errors));
    this.size = size;
    this.errors = Map.copyOf(errors);
  }

  /** How many jobs the batch held. */
  public int size() {
    return size;
  }

  /** The refusals by position in the batch; a position not in it was completed. */
  public Map<Integer, CasqException> errors() {
    return errors;
  }

  /**
   * Whether the job at {@code index} was completed.
   *
   * @param index its position in the batch
   * @return true when it was completed, false when it was refused
   */
  public boolean completed(int index) {
    return !errors.containsKey(index);
  }

  private static String summary(int size, Map<Integer, CasqException> errors) {
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a batch completion error needs at least one error");
    }
    Map.Entry<Integer, CasqException> first = new TreeMap<>(errors).firstEntry();
    return errors.size()
        + " of "
        + size
        + " jobs were not completed (the others were); the first (#"
        + first.getKey()
        + "): "
        + first.getValue().getMessage();
  }
}
