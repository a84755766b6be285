package dev.casq.broker;

import dev.casq.wire.BrokerView;
import dev.casq.wire.ErrorCode;
import dev.casq.wire.ErrorReply;
import dev.casq.wire.WireWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One request in flight: answers it exactly once and records its metrics. */
final class Exchange {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);
  static final String JSON = "application/json";

  final Request request;
  final Response response;
  private final Callback callback;
  private final BrokerMetrics metrics;
  private final long startNanos;
  private final AtomicBoolean answered = new AtomicBoolean();
  String route = "unmatched";
  ServedQueue queue;

  /** Set once the handler reads the body; an answer given before leaves it unread. */
  volatile boolean bodyRead;

  /** The body as read (kept so that a late request can still be forwarded), or null. */
  volatile byte[] body;

  /** Forwards requests this broker answers 421 to the broker named; null: never forward. */
  Forwarder forwarder;

  Exchange(Request request, Response response, Callback callback, BrokerMetrics metrics) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.metrics = metrics;
    this.startNanos = System.nanoTime();
  }

  String method() {
    return request.getMethod();
  }

  void json(int status, byte[] body) {
    send(status, JSON, body);
  }

  /** Answers with JSON; {@code onWriteFailure} runs if the client cannot be told (e.g. gone). */
  void json(int status, byte[] body, Runnable onWriteFailure) {
    send(status, JSON, body, onWriteFailure);
  }

  void send(int status, String contentType, byte[] body) {
    send(status, contentType, body, null);
  }

  private void send(int status, String contentType, byte[] body, Runnable onWriteFailure) {
    if (!answered.compareAndSet(false, true)) {
      return;
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Callback done =
        onWriteFailure == null
            ? callback
            : new Callback() {
              @Override
              public void succeeded() {
                callback.succeeded();
              }

              @Override
              public void failed(Throwable x) {
                log.debug("could not answer {} {}: {}", method(), route, x.toString());
                try {
                  onWriteFailure.run();
                } finally {
                  callback.failed(x);
                }
              }

              @Override
              public InvocationType getInvocationType() {
                return callback.getInvocationType();
              }
            };
    response.write(true, ByteBuffer.wrap(body), done);
    metrics.request(method(), route, status, System.nanoTime() - startNanos);
  }

  /** Answers with the API error for {@code t}; unexpected errors are logged and answered 500. */
  void fail(Throwable t) {
    ApiException e = ErrorMapping.map(t);
    if (e == null) {
      log.error(
          "bug while handling {} {}",
          method(),
          Request.getPathInContext(request),
          ErrorMapping.unwrap(t));
      e =
          new ApiException(
              ErrorCode.INTERNAL,
              "internal error ("
                  + ErrorMapping.unwrap(t).getClass().getSimpleName()
                  + "); see the broker log");
    }
    Forwarder f = forwarder;
    if (e.status() == 421 && f != null && !answered.get()) {
      forwarder = null; // at most once per request
      if (f.forward(this, e)) {
        return; // the forwarder answers with the answer of the broker named
      }
    }
    failUnforwarded(e);
  }

  /** Answers with the API error {@code e} as is (a 421 is not forwarded). */
  void failUnforwarded(ApiException e) {
    if (e.status() == 503 || e.status() == 429) {
      response.getHeaders().put(HttpHeader.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
    } else if (e.status() == 401) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"casq\"");
    } else if (e.allow() != null) {
      response.getHeaders().put(HttpHeader.ALLOW, e.allow());
    }
    if (!bodyRead
        && request.getLength() != 0
        && request.getConnectionMetaData().getHttpVersion()
            == org.eclipse.jetty.http.HttpVersion.HTTP_1_1) {
      // refused before its body was read: the server may have to drop the connection with the
      // body unread, so tell the client not to send another request on it
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
    json(
        e.status(),
        WireWriter.error(
            new ErrorReply(
                e.code().wireName(),
                e.getMessage(),
                e.broker() == null ? null : BrokerView.shortOf(e.broker()))));
  }

  void text(int status, String contentType, String body) {
    send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }
}
