package dev.casq.wire;

import java.util.List;

/**
 * The body of a planned hand-over ({@code POST /admin/handover}); every part is optional.
 *
 * @param queues the queues to hand over (empty: all the broker serves)
 * @param successorId the broker taking over, or null
 * @param successorAddress its base URL, or null (given together with the id)
 */
public record HandoverBody(List<String> queues, String successorId, String successorAddress) {
  /** Copies the list. */
  public HandoverBody {
    queues = List.copyOf(queues);
  }
}
