package dev.casq.broker;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;

/**
 * Reads a request body asynchronously into memory, up to a limit. A body over the limit is read on
 * (and dropped) up to a larger bound before the caller is told, because a server that closes a
 * connection with unread data resets it and the client would never see the 413 answer.
 */
final class BodyReader implements Runnable {
  /** What came of reading a body. */
  interface Outcome {
    void body(byte[] bytes);

    void tooLarge();

    void failed(Throwable t);
  }

  private final Content.Source source;
  private final int limit;
  private final long drainLimit;
  private final Outcome outcome;
  private final ByteArrayOutputStream buffer;
  private long seen;

  private BodyReader(
      Content.Source source, int limit, long drainLimit, long expected, Outcome outcome) {
    this.source = source;
    this.limit = limit;
    this.drainLimit = drainLimit;
    this.outcome = outcome;
    this.buffer =
        new ByteArrayOutputStream(expected > 0 && expected <= limit ? (int) expected : 512);
  }

  /** Reads the body of {@code source}; {@code expected} is the declared length or -1. */
  static void read(
      Content.Source source, int limit, long drainLimit, long expected, Outcome outcome) {
    new BodyReader(source, limit, drainLimit, expected, outcome).run();
  }

  @Override
  public void run() {
    while (true) {
      Content.Chunk chunk = source.read();
      if (chunk == null) {
        source.demand(this);
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        if (chunk.isLast()) {
          outcome.failed(chunk.getFailure());
          return;
        }
        continue; // a transient failure (e.g. idle timeout) that the source lets us read past
      }
      ByteBuffer b = chunk.getByteBuffer();
      int n = b.remaining();
      seen += n;
      if (seen <= limit) {
        if (b.hasArray()) {
          buffer.write(b.array(), b.arrayOffset() + b.position(), n);
        } else {
          byte[] copy = new byte[n];
          b.get(copy);
          buffer.write(copy, 0, n);
        }
      }
      boolean last = chunk.isLast();
      chunk.release();
      if (seen > limit && (last || seen > drainLimit)) {
        outcome.tooLarge();
        return;
      }
      if (last) {
        outcome.body(buffer.toByteArray());
        return;
      }
    }
  }
}
