package dev.casq.wire;

/**
 * One entry of a batch push as read: its body, or the reason it was refused. A refused entry
 * refuses only itself; the others of the batch are pushed.
 *
 * @param body the push, or null when refused
 * @param error why the entry was refused, or null
 */
public record BatchItem(PushBody body, WireFormatException error) {
  /** A valid entry. */
  public static BatchItem of(PushBody body) {
    return new BatchItem(body, null);
  }

  /** A refused entry. */
  public static BatchItem refused(WireFormatException error) {
    return new BatchItem(null, error);
  }
}
