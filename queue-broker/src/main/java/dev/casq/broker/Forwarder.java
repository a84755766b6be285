package dev.casq.broker;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.wire.ErrorCode;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a late request for a queue this broker no longer serves (handed over, or taken over by a
 * newer broker) to the broker that serves it now, and relays that broker's answer: status, JSON
 * body, {@code Retry-After}. Clients that do not follow 421 (plain HTTP, load balancers keeping
 * connections open to the old broker) thus see the successor's answer instead of a redirect.
 *
 * <p>Nothing blocks: the body is read asynchronously, the request is sent with the JDK HttpClient
 * ({@code sendAsync}) and the answer is written when it comes. Bounds: a forwarded request that
 * gets no answer within {@link #TIMEOUT} is answered 503 {@code outcome_unknown} with {@code
 * Retry-After: 0} (it may have been applied: the client retries with the same idempotency key);
 * past {@link #maxInFlight} forwards in flight, and for a request that was itself forwarded (it
 * carries {@link #FORWARDED_BY}), the 421 is answered as is, so a request is forwarded at most
 * once.
 */
final class Forwarder {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);

  /** The header a forwarded request carries: the id of the broker that forwarded it. */
  static final String FORWARDED_BY = "Casq-Forwarded-By";

  /**
   * Sent by clients that follow a 421 to the broker it names (the Java client does): they get the
   * 421 and talk to the new broker directly from then on, instead of through this one.
   */
  static final String FOLLOWS_REDIRECTS = "Casq-Redirects";

  /** How long a forwarded request may take before it is answered 503 with Retry-After: 0. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The request headers passed on; the rest (hop-by-hop, Host, lengths) are the client's own. */
  private static final String[] PASSED_ON = {"Authorization", "Content-Type", "Accept"};

  /** The answer headers relayed besides the status and body. */
  private static final String[] RELAYED = {"Retry-After", "Allow", "WWW-Authenticate"};

  private final String brokerId;
  private final int maxInFlight;
  private final Semaphore inFlight;
  private final int maxRequestBytes;
  private volatile HttpClient http;

  Forwarder(String brokerId, int maxInFlight, int maxRequestBytes) {
    this.brokerId = brokerId;
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    this.maxRequestBytes = maxRequestBytes;
  }

  /** Forwards in flight now. */
  int inFlight() {
    return maxInFlight - inFlight.availablePermits();
  }

  /**
   * Takes over answering {@code ex}, which would get {@code notBroker} (a 421 naming the broker
   * that serves the queue now), by forwarding it there.
   *
   * @return false when the request is not forwarded (it was forwarded already, names no address,
   *     its body was consumed, or too many forwards are in flight): the caller answers the 421
   */
  boolean forward(Exchange ex, ApiException notBroker) {
    BrokerRecord to = notBroker.broker();
    if (to == null
        || to.address() == null
        || to.address().isBlank()
        || ex.request.getHeaders().get(FORWARDED_BY) != null
        || "follow".equalsIgnoreCase(ex.request.getHeaders().get(FOLLOWS_REDIRECTS))
        || !Request.getPathInContext(ex.request).startsWith("/v1/queues/")
        || (ex.bodyRead && ex.body == null)) {
      return false;
    }
    URI target;
    try {
      String pathQuery = ex.request.getHttpURI().getPathQuery();
      target = URI.create(stripSlash(to.address()) + pathQuery);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (!inFlight.tryAcquire()) {
      log.debug("{} forwards in flight: answering 421 for {} {}", maxInFlight, ex.method(), target);
      return false;
    }
    try {
      if (ex.bodyRead || ex.request.getLength() == 0) {
        send(ex, notBroker, target, ex.body == null ? new byte[0] : ex.body);
      } else {
        ex.bodyRead = true;
        BodyReader.read(
            ex.request,
            maxRequestBytes,
            Math.min(64L << 20, 8L * maxRequestBytes),
            ex.request.getLength(),
            new BodyReader.Outcome() {
              @Override
              public void body(byte[] bytes) {
                ex.body = bytes;
                send(ex, notBroker, target, bytes);
              }

              @Override
              public void tooLarge() {
                inFlight.release();
                ex.fail(
                    new ApiException(
                        ErrorCode.PAYLOAD_TOO_LARGE,
                        "the request body is larger than the limit of "
                            + maxRequestBytes
                            + " bytes"));
              }

              @Override
              public void failed(Throwable t) {
                inFlight.release();
                ex.fail(ApiException.invalid("could not read the request body: " + t));
              }
            });
      }
    } catch (RuntimeException e) {
      inFlight.release();
      throw e;
    }
    return true;
  }

  private void send(Exchange ex, ApiException notBroker, URI target, byte[] body) {
    HttpRequest.Builder b;
    try {
      b =
          HttpRequest.newBuilder(target)
              .timeout(TIMEOUT)
              .method(
                  ex.method(),
                  body.length == 0 && !ex.method().equals("POST")
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body))
              .header(FORWARDED_BY, brokerId);
      for (String h : PASSED_ON) {
        String v = ex.request.getHeaders().get(h);
        if (v != null) {
          b.header(h, v);
        }
      }
    } catch (RuntimeException e) {
      inFlight.release();
      ex.failUnforwarded(notBroker);
      return;
    }
    client()
        .sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (r, error) -> {
              inFlight.release();
              try {
                if (error == null) {
                  relay(ex, r);
                } else {
                  failed(ex, notBroker, target, error);
                }
              } catch (Throwable t) {
                log.error("answering a forwarded {} {} failed", ex.method(), target, t);
                ex.fail(t);
              }
            });
  }

  private static void relay(Exchange ex, HttpResponse<byte[]> r) {
    for (String h : RELAYED) {
      Optional<String> v = r.headers().firstValue(h);
      v.ifPresent(value -> ex.response.getHeaders().put(h, value));
    }
    String type = r.headers().firstValue("Content-Type").orElse(Exchange.JSON);
    ex.send(r.statusCode(), type, r.body() == null ? new byte[0] : r.body());
  }

  private void failed(Exchange ex, ApiException notBroker, URI target, Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause()
            : error;
    if (cause instanceof ConnectException) {
      // never sent: not applied anywhere; the client follows the 421 (or re-reads the object)
      log.debug("forwarding {} {} failed to connect: {}", ex.method(), target, cause.toString());
      ex.failUnforwarded(notBroker);
      return;
    }
    log.info("forwarded {} {} got no answer: {}", ex.method(), target, cause.toString());
    String why =
        cause instanceof HttpTimeoutException
            ? "no answer within " + TIMEOUT.toSeconds() + " s"
            : cause.toString();
    ex.fail(
        ApiException.outcomeUnknownRetryNow(
            "this broker no longer serves the queue and"
                + " forwarded the request to "
                + notBroker.broker().id()
                + " at "
                + notBroker.broker().address()
                + ", which gave "
                + why
                + "; it may have been applied:"
                + " retry with the same idempotency key"));
  }

  private HttpClient client() {
    HttpClient c = http;
    if (c == null) {
      synchronized (this) {
        c = http;
        if (c == null) {
          c =
              HttpClient.newBuilder()
                  .version(HttpClient.Version.HTTP_1_1)
                  .connectTimeout(Duration.ofSeconds(2))
                  .followRedirects(HttpClient.Redirect.NEVER)
                  .build();
          http = c;
        }
      }
    }
    return c;
  }

  private static String stripSlash(String address) {
    return address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
  }
}
