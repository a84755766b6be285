package dev.casq.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's graceful stop, except for requests that arrive once the stop has begun (a client's
 * keep-alive connection sends its next request): Jetty would answer them a bare HTML 503. They go
 * to the API instead, which knows what a stopping broker answers — a queue handed over forwards the
 * request to its successor and relays the answer (a load generator that does not follow 421 sees
 * 2xx), any other queue answers 503 {@code unavailable} with {@code Retry-After: 0} — and the
 * HTTP/1.1 connection is closed after that answer, so each connection brings at most one such
 * request. The stop waits for them as for the others.
 */
final class StoppingGracefulHandler extends GracefulHandler {
  private final AtomicLong late = new AtomicLong();
  private final Object lock = new Object();
  private CompletableFuture<Void> lateDone;

  StoppingGracefulHandler(Handler handler) {
    super(handler);
  }

  @Override
  protected void handleShutdownRejection(Request request, Response response, Callback callback) {
    if (request.getConnectionMetaData().getHttpVersion() == HttpVersion.HTTP_1_1) {
      response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    }
    late.incrementAndGet();
    Callback counted = Callback.from(callback, this::lateEnded);
    Handler handler = getHandler();
    try {
      if (handler == null || !handler.handle(request, response, counted)) {
        super.handleShutdownRejection(request, response, counted);
      }
    } catch (Throwable t) {
      Response.writeError(request, response, counted, t);
    }
  }

  private void lateEnded() {
    if (late.decrementAndGet() == 0) {
      synchronized (lock) {
        if (lateDone != null) {
          lateDone.complete(null);
        }
      }
    }
  }

  /** Done once Jetty's own requests and the late ones in flight have been answered. */
  @Override
  public CompletableFuture<Void> shutdown() {
    return super.shutdown()
        .thenCompose(
            v -> {
              synchronized (lock) {
                lateDone = new CompletableFuture<>();
                if (late.get() == 0) {
                  lateDone.complete(null);
                }
                return lateDone;
              }
            });
  }
}
