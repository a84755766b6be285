package dev.casq.client;

import dev.casq.api.CasqException;
import dev.casq.api.CommitOutcomeUnknownException;
import dev.casq.api.CorruptStateException;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerActiveException;
import dev.casq.election.HttpBrokerProbe;
import dev.casq.election.LaunchedBroker;
import dev.casq.election.ProbeResult;
import dev.casq.election.TakeoverDecision;
import dev.casq.election.TakeoverRule;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.wire.BrokerView;
import dev.casq.wire.ErrorCode;
import dev.casq.wire.ErrorReply;
import dev.casq.wire.ReplyReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends requests to the queue's current broker and retries them: the routing and failover part of
 * the client. One instance per {@link CasqClient}; thread-safe; non-blocking for the caller (the
 * blocking work of discovery and takeover runs on a small executor of its own).
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>2xx and errors that retrying cannot fix (4xx other than 421/429, 500) end the call with the
 *       broker's answer.
 *   <li>421 (fenced broker): follow the broker named in the body, or re-read the queue object.
 *   <li>429, 502, 503, 504: retry after the {@code Retry-After} header or the backoff.
 *   <li>Connection refused / reset, timeouts: retry with backoff; with a store URI the queue object
 *       is re-read to find a new broker, and a dead broker (no answer, stale heartbeat) is taken
 *       over as the {@link TakeoverPolicy} says.
 *   <li>Everything stops at the call's deadline.
 * </ul>
 */
final class BrokerConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BrokerConnection.class);
  private static final int IMMEDIATE_REDIRECTS = 4;

  private final ClientConfig config;
  private final HttpClient http;
  private final BrokerLocator locator; // null with an explicit broker URL
  private final FailoverPacing pacing;
  private final ScheduledExecutorService scheduler;
  private final ScheduledThreadPoolExecutor timeouts;
  private final ExecutorService discovery;
  private final Object lock = new Object();
  private final AtomicInteger resolutions = new AtomicInteger();

  // guarded by lock
  private CompletableFuture<Endpoint> current;
  private LaunchedBroker localBroker;
  private boolean closed;

  /** One request as the queue API describes it. */
  record Request(String method, String path, byte[] body, Duration extraTimeout, String what) {}

  /**
   * The broker's final answer to a request.
   *
   * @param status HTTP status (2xx, or an error that is not retried)
   * @param body the body
   * @param retriedAfterUnknownOutcome whether an earlier attempt reached a broker and its outcome
   *     stayed unknown (so it may have been applied)
   */
  record Reply(int status, byte[] body, boolean retriedAfterUnknownOutcome) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  BrokerConnection(ClientConfig config, HttpClient http, BrokerLocator locator) {
    this.config = config;
    this.http = http;
    this.locator = locator;
    this.pacing = new FailoverPacing(config.staleAfter(), config.clock());
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("casq-client-retry"));
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(1, daemon("casq-client-timeouts"));
    t.setRemoveOnCancelPolicy(true);
    this.timeouts = t;
    this.discovery = Executors.newCachedThreadPool(daemon("casq-client-discovery"));
    if (locator == null) {
      current = CompletableFuture.completedFuture(Endpoint.fixed(config.brokerUrl()));
    }
  }

  /** Sends the request, retrying as described above. */
  CompletableFuture<Reply> send(Request request) {
    Call call = new Call(request);
    attempt(call);
    return call.result;
  }

  /** The broker in use now, if one is known. */
  Optional<Endpoint> currentEndpoint() {
    synchronized (lock) {
      if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
        return Optional.of(current.join());
      }
      return Optional.empty();
    }
  }

  /** Whether this client started a broker in its own process that is still running. */
  Optional<String> localBrokerAddress() {
    synchronized (lock) {
      return localBroker == null ? Optional.empty() : Optional.of(localBroker.address());
    }
  }

  /** Times the broker location was resolved (read from the object or taken over); for tests. */
  int resolutions() {
    return resolutions.get();
  }

  @Override
  public void close() {
    LaunchedBroker local;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      local = localBroker;
      localBroker = null;
    }
    scheduler.shutdownNow();
    timeouts.shutdownNow();
    discovery.shutdownNow();
    if (local != null) {
      closeQuietly(local);
    }
    if (locator != null) {
      locator.close();
    }
  }

  // ---------------------------------------------------------------- attempts

  private final class Call {
    final Request request;
    final CompletableFuture<Reply> result = new CompletableFuture<>();
    final long deadlineNanos;
    int attempts;
    int retries;
    int redirectsInARow;
    boolean unknownOutcome;
    Throwable lastError;
    String lastCode;
    Endpoint lastEndpoint;

    Call(Request request) {
      this.request = request;
      Duration budget = config.retry().deadline();
      if (request.extraTimeout() != null) {
        budget = budget.plus(request.extraTimeout());
      }
      this.deadlineNanos = System.nanoTime() + budget.toNanos();
    }

    long remainingNanos() {
      return deadlineNanos - System.nanoTime();
    }
  }

  private void attempt(Call call) {
    CompletableFuture<Endpoint> endpoint;
    try {
      endpoint = endpoint();
    } catch (RuntimeException e) {
      call.result.completeExceptionally(e);
      return;
    }
    endpoint.whenComplete(
        (ep, error) -> {
          if (error != null) {
            Throwable cause = unwrap(error);
            if (isFatalDiscoveryError(cause)) {
              call.result.completeExceptionally(cause);
            } else {
              call.lastError = cause;
              retryLater(call, null, true);
            }
            return;
          }
          sendTo(call, ep);
        });
  }

  private void sendTo(Call call, Endpoint ep) {
    call.attempts++;
    call.lastEndpoint = ep;
    HttpRequest httpRequest;
    try {
      httpRequest = build(call.request, ep);
    } catch (IllegalArgumentException e) {
      call.result.completeExceptionally(
          new BrokerErrorException(0, null, "cannot address broker " + ep + ": " + e.getMessage()));
      return;
    }
    CompletableFuture<HttpResponse<byte[]>> sent;
    try {
      sent = http.sendAsync(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
    } catch (RuntimeException e) {
      onTransportFailure(call, ep, e);
      return;
    }
    // The attempt's timeout is kept here rather than in the HttpRequest: the JDK client wakes its
    // selector thread for every request timeout it registers, which costs a third of its
    // throughput. Cancelling the future aborts the exchange.
    Duration timeout = attemptTimeout(call.request);
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> timer;
    try {
      timer =
          timeouts.schedule(
              () -> {
                timedOut.set(true);
                sent.cancel(true);
              },
              timeout.toNanos(),
              TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      sent.cancel(true);
      call.result.completeExceptionally(closedError(call));
      return;
    }
    sent.whenComplete(
        (response, error) -> {
          timer.cancel(false);
          try {
            if (error != null) {
              Throwable cause = unwrap(error);
              if (timedOut.get() && cause instanceof CancellationException) {
                cause = new HttpTimeoutException("no answer within " + timeout.toMillis() + "ms");
              }
              onTransportFailure(call, ep, cause);
            } else {
              onResponse(call, ep, response);
            }
          } catch (RuntimeException e) {
            call.result.completeExceptionally(e);
          }
        });
  }

  private Duration attemptTimeout(Request r) {
    Duration timeout = config.requestTimeout();
    return r.extraTimeout() == null ? timeout : timeout.plus(r.extraTimeout());
  }

  private HttpRequest build(Request r, Endpoint ep) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(ep.base() + r.path()))
            .header("Accept", "application/json")
            .header("User-Agent", "casq-java-client")
            // a replaced broker answers 421 naming its successor instead of forwarding to it:
            // this client then talks to the successor directly
            .header("Casq-Redirects", "follow");
    if (config.token() != null) {
      b.header("Authorization", "Bearer " + config.token());
    }
    if (r.body() != null) {
      b.header("Content-Type", "application/json");
      b.method(r.method(), HttpRequest.BodyPublishers.ofByteArray(r.body()));
    } else {
      b.method(r.method(), HttpRequest.BodyPublishers.noBody());
    }
    return b.build();
  }

  private void onResponse(Call call, Endpoint ep, HttpResponse<byte[]> response) {
    int status = response.statusCode();
    byte[] body = response.body() == null ? new byte[0] : response.body();
    if (status == 421) {
      ErrorReply error = ReplyReader.error(body);
      call.lastCode = ErrorCode.NOT_BROKER.wireName();
      call.lastError =
          new BrokerErrorException(
              status, ErrorCode.NOT_BROKER.wireName(), message(status, body, error));
      onFenced(call, ep, error);
      return;
    }
    if (status == 429 || status == 502 || status == 503 || status == 504) {
      ErrorReply error = ReplyReader.error(body);
      String code = error.code();
      call.lastCode = code;
      call.lastError = new BrokerErrorException(status, code, message(status, body, error));
      if (status != 429 && !ErrorCode.UNAVAILABLE.wireName().equals(code)) {
        // outcome_unknown, or a gateway that may have forwarded the request
        call.unknownOutcome = true;
      }
      call.redirectsInARow = 0;
      if (status != 429) {
        suspect(ep); // a stopping broker: a successor may be recorded already
      }
      retryLater(call, retryAfter(response), status != 429);
      return;
    }
    call.result.complete(new Reply(status, body, call.unknownOutcome));
  }

  private void onFenced(Call call, Endpoint ep, ErrorReply error) {
    BrokerView view = error.broker();
    BrokerRecord named = view == null ? null : view.toRecord();
    log.debug("broker {} is fenced; it names {}", ep, named);
    redirect(ep, named);
    call.redirectsInARow++;
    if (call.redirectsInARow <= IMMEDIATE_REDIRECTS) {
      retryNow(call);
    } else {
      retryLater(call, null, true);
    }
  }

  private void onTransportFailure(Call call, Endpoint ep, Throwable error) {
    boolean notSent = neverSent(error);
    if (!notSent) {
      call.unknownOutcome = true;
    }
    call.lastError = error;
    call.lastCode = null;
    call.redirectsInARow = 0;
    log.debug(
        "{} to {} failed ({}): {}",
        call.request.what(),
        ep,
        notSent ? "not sent" : "outcome unknown",
        error.toString());
    suspect(ep);
    retryLater(call, null, true);
  }

  private void retryNow(Call call) {
    if (call.remainingNanos() <= 0) {
      giveUp(call);
      return;
    }
    call.retries++;
    attempt(call);
  }

  /**
   * Schedules the next attempt after the backoff; when the broker may be gone ({@code
   * brokerSuspect}) the wait follows the staleness the recorded broker declared (see {@link
   * FailoverPacing}).
   */
  private void retryLater(Call call, Duration retryAfter, boolean brokerSuspect) {
    call.retries++;
    Duration wait = config.retry().backoff(call.retries);
    if (brokerSuspect) {
      wait = pacing.nextLook(wait);
    }
    if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
      wait = retryAfter;
    }
    if (wait.toNanos() >= call.remainingNanos()) {
      giveUp(call);
      return;
    }
    try {
      scheduler.schedule(() -> attempt(call), wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      call.result.completeExceptionally(closedError(call));
    }
  }

  private void giveUp(Call call) {
    String where = call.lastEndpoint == null ? config.origin() : "broker " + call.lastEndpoint;
    String last = call.lastError == null ? "" : "; last error: " + describe(call.lastError);
    String prefix = "could not " + call.request.what() + ": ";
    long secs = config.retry().deadline().toMillis();
    String budget = secs % 1000 == 0 ? secs / 1000 + "s" : secs + "ms";
    if (ErrorCode.OUTCOME_UNKNOWN.wireName().equals(call.lastCode)) {
      call.result.completeExceptionally(
          new CommitOutcomeUnknownException(
              prefix
                  + "the broker could not tell whether the write landed, "
                  + call.attempts
                  + " attempt(s) within "
                  + budget
                  + last,
              call.lastError));
      return;
    }
    call.result.completeExceptionally(
        new BrokerUnavailableException(
            prefix
                + "no usable answer from "
                + where
                + " after "
                + call.attempts
                + " attempt(s) within "
                + budget
                + last
                + (call.unknownOutcome ? " (it may or may not have been applied)" : ""),
            call.unknownOutcome,
            call.lastError));
  }

  private BrokerUnavailableException closedError(Call call) {
    return new BrokerUnavailableException(
        "could not " + call.request.what() + ": the client is closed", call.unknownOutcome, null);
  }

  // ---------------------------------------------------------------- routing

  private CompletableFuture<Endpoint> endpoint() {
    synchronized (lock) {
      if (closed) {
        throw new BrokerUnavailableException("the client is closed", false, null);
      }
      if (current == null || current.isCompletedExceptionally()) {
        current = resolveAsync(null);
      }
      return current;
    }
  }

  /** The broker at {@code ep} did not answer: find out whether another one should be used. */
  private void suspect(Endpoint ep) {
    if (locator == null || config.takeover() == TakeoverPolicy.NONE) {
      return;
    }
    synchronized (lock) {
      if (!closed && isCurrent(ep)) {
        current = resolveAsync(ep);
      }
    }
  }

  /** The broker at {@code ep} was fenced; {@code named} is the broker it names, if any. */
  private void redirect(Endpoint ep, BrokerRecord named) {
    LaunchedBroker fencedLocal = null;
    synchronized (lock) {
      if (closed || !isCurrent(ep)) {
        return;
      }
      if (ep.local() && localBroker != null) {
        fencedLocal = localBroker; // our own broker lost: it can never serve again
        localBroker = null;
      }
      if (named != null && named.epoch() > ep.epoch() && !ep.sameBroker(named)) {
        current = CompletableFuture.completedFuture(Endpoint.of(named));
      } else if (locator != null) {
        current = resolveAsync(null);
      }
    }
    if (fencedLocal != null) {
      log.info(
          "the broker this client started at {} was replaced; closing it", fencedLocal.address());
      LaunchedBroker toClose = fencedLocal;
      discovery.execute(() -> closeQuietly(toClose));
    }
  }

  private boolean isCurrent(Endpoint ep) {
    return current != null
        && current.isDone()
        && !current.isCompletedExceptionally()
        && current.join().equals(ep);
  }

  private CompletableFuture<Endpoint> resolveAsync(Endpoint failed) {
    if (locator == null) {
      return CompletableFuture.completedFuture(Endpoint.fixed(config.brokerUrl()));
    }
    try {
      return CompletableFuture.supplyAsync(() -> resolve(failed), discovery);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new BrokerUnavailableException("the client is closed", false, null));
    }
  }

  /**
   * Decides which broker to use after {@code failed} did not answer (null: first discovery or after
   * a redirect without a name). Blocking; runs on the discovery executor.
   */
  private Endpoint resolve(Endpoint failed) {
    resolutions.incrementAndGet();
    Optional<BrokerRecord> recorded = locator.recorded();
    pacing.recorded(recorded.orElse(null));
    if (recorded.isPresent()) {
      BrokerRecord r = recorded.get();
      Endpoint local = localEndpointFor(r);
      if (local != null) {
        return local;
      }
      if (failed == null || !failed.sameBroker(r)) {
        log.debug(
            "queue {}: broker {} at {} (epoch {})",
            config.queueName(),
            r.id(),
            r.address(),
            r.epoch());
        return Endpoint.of(r);
      }
      TakeoverDecision d = judge(r);
      if (!d.takeOver()) {
        log.debug("queue {}: {}", config.queueName(), d.reason());
        return failed; // alive (a hiccup) or not yet stale: the caller backs off and looks again
      }
      return takeOver(d.reason());
    }
    return takeOver("no broker is recorded in " + locator.describe());
  }

  /**
   * Our own in-process broker, when the record names it and it still serves; a local broker that no
   * longer serves or that the record no longer names is closed.
   */
  private Endpoint localEndpointFor(BrokerRecord r) {
    LaunchedBroker stale = null;
    Endpoint result = null;
    synchronized (lock) {
      if (localBroker != null) {
        boolean named =
            Endpoint.baseUri(localBroker.address()).equals(Endpoint.baseUri(r.address()));
        if (named && localBroker.isServing()) {
          result = new Endpoint(Endpoint.baseUri(r.address()), r.id(), r.epoch(), true);
        } else if (!named || !localBroker.isServing()) {
          stale = localBroker;
          localBroker = null;
        }
      }
    }
    if (stale != null) {
      log.info(
          "the broker this client started at {} no longer serves queue {}; closing it",
          stale.address(),
          config.queueName());
      closeQuietly(stale);
    }
    return result;
  }

  private Endpoint takeOver(String why) {
    if (config.takeover() == TakeoverPolicy.IN_PROCESS && locator.canLaunch()) {
      synchronized (lock) {
        if (closed) {
          throw new BrokerUnavailableException("the client is closed", false, null);
        }
      }
      log.info("queue {}: {}; starting a broker in this process", config.queueName(), why);
      LaunchedBroker b;
      try {
        Optional<LaunchedBroker> started = locator.launch();
        if (started.isEmpty()) {
          throw new BrokerUnavailableException(
              "queue "
                  + config.queueName()
                  + ": "
                  + why
                  + "; no broker could be started in this process",
              false,
              null);
        }
        b = started.get();
      } catch (BrokerActiveException e) {
        // another client or a standby won the takeover first: follow it
        log.info("queue {}: {} took over first", config.queueName(), e.activeBroker().id());
        return Endpoint.of(e.activeBroker());
      }
      LaunchedBroker previous;
      synchronized (lock) {
        if (closed) {
          closeQuietly(b);
          throw new BrokerUnavailableException("the client is closed", false, null);
        }
        previous = localBroker;
        localBroker = b;
      }
      if (previous != null) {
        closeQuietly(previous);
      }
      BrokerRecord r = b.record();
      log.info(
          "queue {}: now served by broker {} in this process at {} (epoch {})",
          config.queueName(),
          r.id(),
          b.address(),
          r.epoch());
      return new Endpoint(Endpoint.baseUri(b.address()), r.id(), r.epoch(), true);
    }
    throw new BrokerUnavailableException(
        "queue "
            + config.queueName()
            + ": "
            + why
            + (config.takeover() == TakeoverPolicy.NONE
                ? ""
                : "; waiting for a broker to take over"),
        false,
        null);
  }

  /**
   * The takeover rule applied to {@code r}, asking its address only when that can matter. The rule
   * judges {@code r} by the staleness it declares; the client's {@code staleAfter} applies only to
   * a record that declares none.
   */
  private TakeoverDecision judge(BrokerRecord r) {
    Duration fallback = config.staleAfter();
    ProbeResult answer =
        TakeoverRule.probeNeeded(r, config.clock().instant(), fallback)
            ? new HttpBrokerProbe(
                    http, pacing.probeTimeout(r, config.healthTimeout()), config.queueName())
                .probe(r)
            : ProbeResult.notAsked();
    return TakeoverRule.decide(r, answer, config.clock().instant(), fallback);
  }

  // ---------------------------------------------------------------- helpers

  private static boolean isFatalDiscoveryError(Throwable t) {
    return t instanceof StoreConfigurationException
        || t instanceof CorruptStateException
        || t instanceof IllegalArgumentException
        || (t instanceof CasqException
            && !(t instanceof dev.casq.storage.StorageException)
            && !(t instanceof BrokerUnavailableException));
  }

  /** True when the request certainly did not reach the broker. */
  static boolean neverSent(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException
          || c instanceof HttpConnectTimeoutException
          || c instanceof UnresolvedAddressException
          || c instanceof java.nio.channels.UnresolvedAddressException) {
        return true;
      }
      if (c instanceof HttpTimeoutException) {
        return false;
      }
    }
    return false;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static Duration retryAfter(HttpResponse<?> r) {
    Optional<String> h = r.headers().firstValue("Retry-After");
    if (h.isEmpty()) {
      return null;
    }
    try {
      long secs = Long.parseLong(h.get().trim());
      return secs < 0 ? null : Duration.ofSeconds(Math.min(secs, 60));
    } catch (NumberFormatException e) {
      return null; // an HTTP date: use the backoff
    }
  }

  /** The broker's message of an error answer, or the status and a preview of a foreign body. */
  static String message(int status, byte[] body, ErrorReply e) {
    if (e.code() != null && e.message() != null) {
      return e.message();
    }
    return "HTTP " + status + (body.length == 0 ? "" : " " + ReplyReader.preview(body));
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    String name = t.getClass().getSimpleName();
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof HttpConnectTimeoutException) {
      return "connect timed out";
    }
    if (t instanceof HttpTimeoutException) {
      return "request timed out";
    }
    if (t instanceof CasqException) {
      return m;
    }
    return m == null || m.isBlank() ? name : name + ": " + m;
  }

  private static void closeQuietly(LaunchedBroker b) {
    try {
      b.close();
    } catch (RuntimeException e) {
      log.warn("closing the in-process broker at {} failed: {}", b.address(), e.toString());
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
