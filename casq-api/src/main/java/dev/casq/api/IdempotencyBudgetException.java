package dev.casq.api;

/**
 * A push with a new idempotency key refused because the queue holds as many keys as its {@code
 * idempotencyMemoryBudget} allows: casq never forgets a key before its {@code idempotencyRetention}
 * to make room, so it pushes back instead. Temporary: keys are forgotten as their retention passes,
 * so the same push (same key) succeeds later. Pushes without a key, and pushes of keys already
 * known, are not affected. The broker answers it with HTTP 429 {@code idempotency_budget}, which
 * casq's client retries.
 */
public class IdempotencyBudgetException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param keysHeld the idempotency keys the queue holds in memory now
   * @param budgetBytes the configured budget, in bytes
   * @param bytesPerKey what one key costs against the budget
   */
  public IdempotencyBudgetException(long keysHeld, long budgetBytes, int bytesPerKey) {
    super(
        "the queue holds "
            + keysHeld
            + " idempotency keys, as many as its"
            + " idempotencyMemoryBudget of "
            + budgetBytes
            + " bytes allows ("
            + bytesPerKey
            + " bytes a key); keyed pushes are refused until keys older"
            + " than idempotencyRetention are forgotten: retry later, or raise the budget");
  }
}
