package dev.casq.broker;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.casq.api.PushResult;
import dev.casq.core.internal.EngineHealth;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.HistoryFilter;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.JobStatus;
import dev.casq.core.internal.PushRequest;
import dev.casq.wire.BatchItem;
import dev.casq.wire.BatchReply;
import dev.casq.wire.BrokerView;
import dev.casq.wire.ClaimBody;
import dev.casq.wire.CompleteAllBody;
import dev.casq.wire.CompleteAllReply;
import dev.casq.wire.CompleteBody;
import dev.casq.wire.CountReply;
import dev.casq.wire.DeadFilterBody;
import dev.casq.wire.ErrorCode;
import dev.casq.wire.ErrorReply;
import dev.casq.wire.FailBody;
import dev.casq.wire.HandoverBody;
import dev.casq.wire.HeartbeatBody;
import dev.casq.wire.HeartbeatReply;
import dev.casq.wire.JobPageReply;
import dev.casq.wire.JobView;
import dev.casq.wire.LeasedJobView;
import dev.casq.wire.ListQuery;
import dev.casq.wire.PushReply;
import dev.casq.wire.ReleaseBody;
import dev.casq.wire.ScheduleWire;
import dev.casq.wire.StatsView;
import dev.casq.wire.StatusReply;
import dev.casq.wire.WireReader;
import dev.casq.wire.WireWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API on Jetty's core handler: nothing here blocks. A request is parsed, handed to its
 * queue's commit engine, and answered when the engine's future completes (on the thread that
 * completes it). Thousands of requests can thus wait for one group commit without holding a thread
 * each.
 */
final class ApiHandler extends Handler.Abstract.NonBlocking {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

  /** What the handler needs from the broker. */
  interface Context {
    Map<String, ServedQueue> queues();

    /** Waiting commands in one queue's engine past which requests get 503 overloaded. */
    int maxQueuedCommands();

    /** Long-poll claims waiting on one queue past which claims with a wait get 503. */
    int maxClaimWaiters();

    BearerAuth auth();

    WireReader reader();

    BrokerMetrics metrics();

    Executor executor();

    int maxRequestBytes();

    /** True until every queue has been claimed once. */
    boolean starting();

    /** True once the broker is shutting down. */
    boolean stopping();

    String brokerId();

    String address();

    byte[] dashboard();

    /** The clock the queues run on. */
    java.time.Clock clock();

    /** How often the dashboard's charts take a sample. */
    java.time.Duration dashboardSampleInterval();

    void fenced(ServedQueue queue, FencedException e);

    /**
     * True while this broker claims its queues right after a hand-over: requests to a queue it does
     * not hold yet wait for the claim instead of being turned away.
     */
    boolean holdsRequestsUntilServing();

    /**
     * Forwards late requests for a queue this broker no longer serves to the broker that does; null
     * to answer them 421.
     */
    Forwarder forwarder();

    /** Hands {@code queues} (all when empty) over; see {@link CasqBroker#handOver}. */
    Map<String, dev.casq.core.internal.BrokerRecord> handOver(
        List<String> queues, String successorId, String successorAddress);
  }

  /** How long a request may wait for a queue this broker is claiming after a hand-over. */
  private static final long HOLD_MILLIS = 10_000;

  private final Context ctx;
  private final DashboardApi dashboard;

  ApiHandler(Context ctx) {
    this.ctx = ctx;
    this.dashboard = new DashboardApi(ctx);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Exchange ex = new Exchange(request, response, callback, ctx.metrics());
    ex.forwarder = ctx.forwarder();
    try {
      ServedQueue claiming = claimingQueue(ex);
      if (claiming != null) {
        holdUntilServing(ex, claiming);
      } else {
        route(ex);
      }
    } catch (Throwable t) {
      ex.fail(t);
    }
    return true;
  }

  /**
   * The queue a {@code /v1/queues/{q}/...} request names when this broker is claiming it after a
   * hand-over (the old broker redirects its late requests here before our claim has landed).
   */
  private ServedQueue claimingQueue(Exchange ex) {
    if (!ctx.holdsRequestsUntilServing()) {
      return null;
    }
    String path = Request.getPathInContext(ex.request);
    if (!path.startsWith("/v1/queues/")) {
      return null;
    }
    String rest = path.substring("/v1/queues/".length());
    int slash = rest.indexOf('/');
    ServedQueue q = ctx.queues().get(slash < 0 ? rest : rest.substring(0, slash));
    return q != null && q.status() == ServedQueue.Status.STARTING ? q : null;
  }

  private void holdUntilServing(Exchange ex, ServedQueue q) {
    q.whenServing()
        .orTimeout(HOLD_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .whenComplete(
            (v, e) -> {
              try {
                ctx.executor()
                    .execute(
                        () -> {
                          try {
                            route(ex);
                          } catch (Throwable t) {
                            ex.fail(t);
                          }
                        });
              } catch (RuntimeException rejected) {
                ex.fail(ApiException.draining("the broker is shutting down"));
              }
            });
  }

  // ------------------------------------------------------------------ routing

  private void route(Exchange ex) {
    String path = Request.getPathInContext(ex.request);
    switch (path) {
      case "/", "/index.html" -> {
        ex.route = "/";
        requireMethod(ex, GET, path);
        ex.send(200, "text/html; charset=utf-8", ctx.dashboard());
        return;
      }
      case "/dashboard/overview" -> {
        ex.route = path;
        requireMethod(ex, GET, path);
        requireToken(ex);
        ex.json(200, dashboard.overview());
        return;
      }
      case "/dashboard/jobs" -> {
        ex.route = path;
        requireMethod(ex, GET, path);
        requireToken(ex);
        dashboardJobs(ex);
        return;
      }
      case "/health" -> {
        ex.route = "/health";
        requireMethod(ex, GET, path);
        health(ex);
        return;
      }
      case "/ready" -> {
        ex.route = "/ready";
        requireMethod(ex, GET, path);
        ready(ex);
        return;
      }
      case "/metrics" -> {
        ex.route = "/metrics";
        requireMethod(ex, GET, path);
        metrics(ex);
        return;
      }
      case "/admin/handover" -> {
        ex.route = "/admin/handover";
        requireMethod(ex, POST, path);
        BearerAuth auth = ctx.auth();
        if (auth == null) {
          throw new ApiException(
              ErrorCode.FORBIDDEN,
              "hand-over needs a broker started with a token (--token); this one has none");
        }
        if (!auth.allows(ex.request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
          throw new ApiException(
              ErrorCode.UNAUTHORIZED,
              "this broker needs the header 'Authorization: Bearer <token>' with its token");
        }
        withBody(ex, body -> handOver(ex, body));
        return;
      }
      default -> {}
    }
    if (!path.equals("/v1") && !path.startsWith("/v1/")) {
      throw ApiException.notFound("no route " + ex.method() + " " + path);
    }
    ex.route = "/v1";
    requireToken(ex);
    String[] s = path.substring(1).split("/", -1);
    for (String seg : s) {
      if (seg.isEmpty()) {
        throw ApiException.notFound("no route " + ex.method() + " " + path);
      }
    }
    if (s.length < 2 || !s[1].equals("queues")) {
      throw ApiException.notFound("no route " + ex.method() + " " + path);
    }
    if (s.length == 2) {
      ex.route = "/v1/queues";
      requireMethod(ex, GET, path);
      listQueues(ex);
      return;
    }
    String q = s[2];
    if (s.length == 4 && s[3].equals("jobs")) {
      ex.route = "/v1/queues/{q}/jobs";
      requireMethod(ex, GET_POST, path);
      if (ex.method().equals(GET)) {
        ListQuery query = listQuery(ex);
        listJobs(ex, serving(ex, q), query);
        return;
      }
      JobQueue queue = serving(ex, q);
      withBody(ex, body -> push(ex, queue, body));
    } else if (s.length == 5 && s[3].equals("dead")) {
      String action = s[4];
      if (!action.equals("retry") && !action.equals("purge")) {
        throw ApiException.notFound("no route " + ex.method() + " " + path);
      }
      ex.route = "/v1/queues/{q}/dead/" + action;
      requireMethod(ex, POST, path);
      JobQueue queue = serving(ex, q);
      withBody(ex, body -> deadByFilter(ex, queue, action, body));
    } else if (s.length == 4 && s[3].equals("claim")) {
      ex.route = "/v1/queues/{q}/claim";
      requireMethod(ex, POST, path);
      JobQueue queue = serving(ex, q);
      withBody(ex, body -> claim(ex, queue, body));
    } else if (s.length == 4 && s[3].equals("stats")) {
      ex.route = "/v1/queues/{q}/stats";
      requireMethod(ex, GET, path);
      JobQueue queue = serving(ex, q);
      stats(ex, queue);
    } else if (s.length == 5
        && s[3].equals("jobs")
        && s[4].equals("batch")
        && ex.method().equals(POST)) {
      ex.route = "/v1/queues/{q}/jobs/batch";
      JobQueue queue = serving(ex, q);
      withBody(ex, body -> batch(ex, queue, body));
    } else if (s.length == 5
        && s[3].equals("jobs")
        && s[4].equals("complete")
        && ex.method().equals(POST)) {
      ex.route = "/v1/queues/{q}/jobs/complete";
      JobQueue queue = serving(ex, q);
      withBody(ex, body -> completeAll(ex, queue, body));
    } else if (s.length == 5 && s[3].equals("jobs")) {
      ex.route = "/v1/queues/{q}/jobs/{id}";
      // GET .../jobs/batch reads a job named "batch" (there is none); POST pushes a batch; the
      // same for .../jobs/complete, whose POST completes a batch
      requireMethod(ex, s[4].equals("batch") || s[4].equals("complete") ? GET_POST : GET, path);
      JobQueue queue = serving(ex, q);
      String id = s[4];
      answer(ex, queue.get(id), (job, e) -> e.json(200, WireWriter.job(JobView.of(job))));
    } else if (s.length == 6 && s[3].equals("jobs")) {
      String id = s[4];
      String action = s[5];
      ex.route = "/v1/queues/{q}/jobs/{id}/" + action;
      switch (action) {
        case "heartbeat", "complete", "fail", "release", "cancel", "retry", "purge" -> {}
        default -> {
          ex.route = "unmatched";
          throw ApiException.notFound("no route " + ex.method() + " " + path);
        }
      }
      requireMethod(ex, POST, path);
      JobQueue queue = serving(ex, q);
      withBody(ex, body -> jobAction(ex, queue, id, action, body));
    } else if (s.length >= 4 && s.length <= 5 && s[3].equals("schedules")) {
      schedules(ex, path, q, s.length == 5 ? s[4] : null);
    } else {
      throw ApiException.notFound("no route " + ex.method() + " " + path);
    }
  }

  /** 401 unless the request carries the broker's token (when it has one). */
  private void requireToken(Exchange ex) {
    BearerAuth auth = ctx.auth();
    if (auth != null && !auth.allows(ex.request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
      throw new ApiException(
          ErrorCode.UNAUTHORIZED,
          "this broker needs the header 'Authorization: Bearer <token>' with its token");
    }
  }

  /** {@code GET /dashboard/jobs}: a page of a queue's job table. */
  private void dashboardJobs(Exchange ex) {
    Fields query;
    try {
      query = Request.extractQueryParameters(ex.request);
    } catch (RuntimeException e) {
      throw ApiException.invalid("the query string cannot be read: " + e.getMessage());
    }
    ServedQueue served = dashboard.named(query);
    JobQueue queue = serving(ex, served.name());
    answer(
        ex,
        dashboard.jobs(queue, query),
        (page, e) -> e.json(200, DashboardApi.page(served.name(), page)));
  }

  private static final String GET = "GET";
  private static final String POST = "POST";
  private static final String GET_POST = "GET, POST";

  /** 405 with an {@code Allow} header unless the method is one of {@code allow}. */
  private static void requireMethod(Exchange ex, String allow, String path) {
    String method = ex.method();
    for (String m : allow.split(", ")) {
      if (m.equals(method)) {
        return;
      }
    }
    throw ApiException.methodNotAllowed(method, path, allow);
  }

  /**
   * The queue to run a request on, once it is known to serve and to have room: a queue whose engine
   * already holds more than the bound of waiting commands turns new requests away (503 {@code
   * overloaded}) rather than letting its inbox grow without end.
   */
  private JobQueue serving(Exchange ex, String name) {
    ServedQueue q = ctx.queues().get(name);
    if (q == null) {
      throw new ApiException(
          ErrorCode.UNKNOWN_QUEUE,
          "this broker serves no queue named '" + name + "'; it serves " + ctx.queues().keySet());
    }
    ex.queue = q;
    if (ctx.stopping()
        && q.status() != ServedQueue.Status.HANDED_OVER
        && q.status() != ServedQueue.Status.FENCED) {
      throw ApiException.draining(
          "the broker is shutting down and resigns its queues; retry,"
              + " the next broker takes over at once");
    }
    JobQueue queue = q.requireServing(ctx.executor());
    int queued = queue.engine().queuedCommands();
    if (queued > ctx.maxQueuedCommands()) {
      throw ApiException.overloaded(
          "queue '"
              + name
              + "' is overloaded: "
              + queued
              + " commands wait for its engine (the bound is "
              + ctx.maxQueuedCommands()
              + "); retry after a moment");
    }
    return queue;
  }

  // ------------------------------------------------------------------ bodies

  private void withBody(Exchange ex, Consumer<byte[]> then) {
    checkContentType(ex);
    ex.bodyRead = true;
    long length = ex.request.getLength();
    int max = ctx.maxRequestBytes();
    long drainLimit = Math.min(64L << 20, 8L * max);
    if (length > drainLimit) {
      ex.fail(tooLarge(length, max)); // too large to read on: the connection will be closed
      return;
    }
    BodyReader.read(
        ex.request,
        max,
        drainLimit,
        length,
        new BodyReader.Outcome() {
          @Override
          public void body(byte[] bytes) {
            ex.body = bytes;
            try {
              then.accept(bytes);
            } catch (Throwable t) {
              ex.fail(t);
            }
          }

          @Override
          public void tooLarge() {
            ex.fail(ApiHandler.tooLarge(length, max));
          }

          @Override
          public void failed(Throwable t) {
            ex.fail(ApiException.invalid("could not read the request body: " + t));
          }
        });
  }

  private static ApiException tooLarge(long length, int max) {
    return new ApiException(
        ErrorCode.PAYLOAD_TOO_LARGE,
        "the request body "
            + (length >= 0 ? "is " + length + " bytes" : "is too large")
            + "; the limit is "
            + max
            + " bytes");
  }

  private static void checkContentType(Exchange ex) {
    String type = ex.request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null) {
      return; // no declared type: the body must still parse as JSON
    }
    String[] parts = type.split(";");
    String media = parts[0].trim().toLowerCase(Locale.ROOT);
    boolean json = media.equals("application/json") || media.endsWith("+json");
    for (int i = 1; i < parts.length && json; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("charset=")) {
        String cs = p.substring(8).replace("\"", "");
        json = cs.equals("utf-8") || cs.equals("utf8");
      }
    }
    if (!json) {
      throw new ApiException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "send the body as 'Content-Type: application/json' (UTF-8), not '" + type + "'");
    }
  }

  // ------------------------------------------------------------------ operations

  private static byte[] status(String id, JobStatus status) {
    return WireWriter.statusReply(new StatusReply(id, status.wireName()));
  }

  private static List<LeasedJobView> leasedViews(List<Job> jobs) {
    List<LeasedJobView> views = new ArrayList<>(jobs.size());
    for (Job j : jobs) {
      views.add(LeasedJobView.of(j));
    }
    return views;
  }

  /** {@code "state": ..., "reason": ..., "since": ...} of a queue's engine. */
  private static void engineHealth(JsonGenerator g, EngineHealth h) throws IOException {
    g.writeStringField("state", h.state().wireName());
    if (h.reason() != null) {
      g.writeStringField("reason", h.reason());
    } else {
      g.writeNullField("reason");
    }
    g.writeStringField("since", h.since().toString());
  }

  private void push(Exchange ex, JobQueue queue, byte[] body) {
    PushRequest r = ctx.reader().readPush(body).toRequest();
    answer(
        ex,
        queue.push(r),
        (res, e) ->
            e.json(
                res.duplicate() ? 200 : 201,
                WireWriter.pushReply(new PushReply(res.jobId(), res.duplicate()))));
  }

  private void batch(Exchange ex, JobQueue queue, byte[] body) {
    List<BatchItem> jobs = ctx.reader().readBatch(body);
    int n = jobs.size();
    Object[] slots = new Object[n];
    List<CompletableFuture<PushResult>> futures = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      BatchItem item = jobs.get(i);
      if (item.error() != null) {
        slots[i] = ErrorMapping.map(item.error());
        continue;
      }
      CompletableFuture<PushResult> f = queue.push(item.body().toRequest());
      slots[i] = f;
      futures.add(f);
    }
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
        .handleAsync(
            (ignored, ignoredError) -> {
              try {
                answerBatch(ex, slots);
              } catch (Throwable t) {
                ex.fail(t);
              }
              return null;
            },
            ctx.executor());
  }

  /**
   * Answers a batch whose pushes all finished: bad input is reported in the job's slot; any other
   * failure (fenced, outcome unknown, storage, bug) fails the whole request, since some pushes may
   * have been committed and a retry with the same keys is what resolves it.
   */
  @SuppressWarnings("unchecked")
  private void answerBatch(Exchange ex, Object[] slots) {
    ApiException[] itemErrors = new ApiException[slots.length];
    for (int i = 0; i < slots.length; i++) {
      Throwable t =
          slots[i] instanceof ApiException a ? a : failureOf((CompletableFuture<?>) slots[i]);
      if (t == null) {
        continue;
      }
      noteFencing(ex, t);
      ApiException mapped = ErrorMapping.map(t);
      if (mapped == null || !isItemError(mapped)) {
        ex.fail(late(ex, t));
        return;
      }
      itemErrors[i] = mapped;
    }
    List<BatchReply.Result> results = new ArrayList<>(slots.length);
    for (int i = 0; i < slots.length; i++) {
      if (itemErrors[i] != null) {
        results.add(
            new BatchReply.Result(
                null, ErrorReply.of(itemErrors[i].code(), itemErrors[i].getMessage())));
      } else {
        PushResult r = ((CompletableFuture<PushResult>) slots[i]).join();
        results.add(new BatchReply.Result(new PushReply(r.jobId(), r.duplicate()), null));
      }
    }
    ex.json(200, WireWriter.batchReply(new BatchReply(results)));
  }

  /**
   * {@code POST .../jobs/complete}: completes a batch of leased jobs, submitted to the engine
   * together so that they share one write. A malformed body was refused whole by the reader. Each
   * job's refusal (lease rejected, not found, result not valid) is answered in its slot; any other
   * failure (fenced, outcome unknown, storage, bug) fails the whole request, since some completions
   * may have been committed and a retry is what resolves it (a job already completed is then
   * not_found).
   */
  private void completeAll(Exchange ex, JobQueue queue, byte[] body) {
    CompleteAllBody b = ctx.reader().readCompleteAll(body);
    List<JobQueue.Completion> completions = new ArrayList<>(b.jobs().size());
    for (CompleteAllBody.Item j : b.jobs()) {
      completions.add(new JobQueue.Completion(j.id(), j.leaseToken(), j.resultJson()));
    }
    List<CompletableFuture<Job>> futures = queue.completeAll(completions);
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
        .handleAsync(
            (ignored, ignoredError) -> {
              try {
                answerCompleteAll(ex, b.jobs(), futures);
              } catch (Throwable t) {
                ex.fail(t);
              }
              return null;
            },
            ctx.executor());
  }

  private void answerCompleteAll(
      Exchange ex, List<CompleteAllBody.Item> jobs, List<CompletableFuture<Job>> futures) {
    List<CompleteAllReply.Result> results = new ArrayList<>(futures.size());
    for (int i = 0; i < futures.size(); i++) {
      Throwable t = failureOf(futures.get(i));
      if (t == null) {
        results.add(new CompleteAllReply.Result(jobs.get(i).id(), null));
        continue;
      }
      noteFencing(ex, t);
      ApiException mapped = ErrorMapping.map(t);
      if (mapped == null || !isItemError(mapped)) {
        ex.fail(late(ex, t));
        return;
      }
      results.add(
          new CompleteAllReply.Result(
              jobs.get(i).id(), ErrorReply.of(mapped.code(), mapped.getMessage())));
    }
    ex.json(200, WireWriter.completeAllReply(new CompleteAllReply(results)));
  }

  private static boolean isItemError(ApiException e) {
    int s = e.status();
    return s == 400 || s == 404 || s == 409 || s == 413;
  }

  private static Throwable failureOf(CompletableFuture<?> f) {
    if (!f.isCompletedExceptionally()) {
      return null;
    }
    try {
      f.join();
      return null;
    } catch (RuntimeException e) {
      return ErrorMapping.unwrap(e);
    }
  }

  private void claim(Exchange ex, JobQueue queue, byte[] body) {
    ClaimBody c = ctx.reader().readClaim(body);
    if (!c.waitFor().isZero() && queue.waitingClaims() >= ctx.maxClaimWaiters()) {
      throw ApiException.overloaded(
          "queue '"
              + ex.queue.name()
              + "' already holds "
              + queue.waitingClaims()
              + " waiting claims (the bound is "
              + ctx.maxClaimWaiters()
              + "); claim without \"wait\" or retry after a moment");
    }
    answer(
        ex,
        queue.claim(c.toRequest(), c.waitFor()),
        (jobs, e) ->
            e.json(
                200,
                WireWriter.claimReply(leasedViews(jobs)),
                () -> {
                  // the worker is gone: give its jobs back rather than wait for the leases to
                  // expire
                  for (Job j : jobs) {
                    queue.release(j.id(), j.lease().token());
                  }
                }));
  }

  private void jobAction(Exchange ex, JobQueue queue, String id, String action, byte[] body) {
    WireReader r = ctx.reader();
    switch (action) {
      case "heartbeat" -> {
        HeartbeatBody b = r.readHeartbeat(body);
        answer(
            ex,
            queue.heartbeat(id, b.leaseToken(), b.extend()),
            (lease, e) ->
                e.json(200, WireWriter.heartbeatReply(new HeartbeatReply(lease.expiresAt()))));
      }
      case "complete" -> {
        CompleteBody b = r.readComplete(body);
        answer(
            ex,
            queue.complete(id, b.leaseToken(), b.resultJson()),
            (job, e) -> e.json(200, status(job.id(), JobStatus.COMPLETED)));
      }
      case "fail" -> {
        FailBody b = r.readFail(body);
        answer(
            ex,
            queue.fail(id, b.leaseToken(), b.error(), b.retry()),
            (status, e) -> e.json(200, status(id, status)));
      }
      case "release" -> {
        ReleaseBody b = r.readRelease(body);
        answer(
            ex,
            queue.release(id, b.leaseToken()),
            (v, e) -> e.json(200, status(id, JobStatus.QUEUED)));
      }
      case "cancel" -> {
        r.readCancel(body);
        answer(
            ex, queue.cancel(id), (job, e) -> e.json(200, status(job.id(), JobStatus.CANCELLED)));
      }
      case "retry" -> {
        r.readDeadJob(body);
        answer(
            ex,
            queue.history().retry(id),
            (job, e) -> e.json(200, status(job.id(), JobStatus.QUEUED)));
      }
      case "purge" -> {
        r.readDeadJob(body);
        answer(
            ex,
            queue.history().purge(id),
            (job, e) -> e.json(200, WireWriter.statusReply(new StatusReply(job.id(), "purged"))));
      }
      default -> throw new IllegalStateException("unrouted action " + action);
    }
  }

  // ------------------------------------------------------------------ job history and dead jobs

  /** The query of {@code GET .../jobs}, read strictly (400 for anything else). */
  private static ListQuery listQuery(Exchange ex) {
    org.eclipse.jetty.util.Fields fields;
    try {
      fields = Request.extractQueryParameters(ex.request, java.nio.charset.StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      throw ApiException.invalid("the query string is not valid URL encoding: " + e.getMessage());
    }
    java.util.Map<String, List<String>> params = new java.util.LinkedHashMap<>();
    for (org.eclipse.jetty.util.Fields.Field f : fields) {
      params.put(f.getName(), f.getValues());
    }
    return ListQuery.parse(params);
  }

  /** {@code GET .../jobs?status=&type=&createdFrom=&createdTo=&cursor=&limit=}. */
  private void listJobs(Exchange ex, JobQueue queue, ListQuery query) {
    HistoryFilter filter =
        new HistoryFilter(
            query.status() == null ? null : JobStatus.fromWire(query.status()),
            query.type(),
            query.createdFrom(),
            query.createdTo());
    answer(
        ex,
        queue.history().list(filter, query.cursor(), query.limit()),
        (page, e) -> {
          List<JobView> views = new ArrayList<>(page.jobs().size());
          for (Job j : page.jobs()) {
            views.add(JobView.of(j));
          }
          e.json(200, WireWriter.jobPage(new JobPageReply(views, page.nextCursor())));
        });
  }

  /** {@code POST .../dead/retry} and {@code POST .../dead/purge} with a filter body. */
  private void deadByFilter(Exchange ex, JobQueue queue, String action, byte[] body) {
    DeadFilterBody b = ctx.reader().readDeadFilter(body);
    HistoryFilter filter =
        new HistoryFilter(JobStatus.DEAD, b.type(), b.createdFrom(), b.createdTo());
    CompletableFuture<Integer> done =
        action.equals("retry")
            ? queue.history().retryAll(filter)
            : queue.history().purgeAll(filter);
    answer(ex, done, (n, e) -> e.json(200, WireWriter.count(new CountReply(n))));
  }

  /**
   * {@code POST /admin/handover}: hands queues over at a clean point. Body (all optional): {@code
   * {"queues": ["emails"], "successor": {"id": "broker-b", "address": "http://10.0.0.6:8420"}}}.
   * Resigning waits for the write in flight, so it runs on a pool thread.
   */
  private void handOver(Exchange ex, byte[] body) {
    HandoverBody b = ctx.reader().readHandover(body);
    for (String name : b.queues()) {
      if (!ctx.queues().containsKey(name)) {
        throw new ApiException(
            ErrorCode.UNKNOWN_QUEUE, "this broker serves no queue named '" + name + "'");
      }
    }
    List<String> names = b.queues();
    String id = b.successorId();
    String address = b.successorAddress();
    String successorId = id;
    String successorAddress = address;
    ctx.executor()
        .execute(
            () -> {
              try {
                Map<String, dev.casq.core.internal.BrokerRecord> resigned =
                    ctx.handOver(names, successorId, successorAddress);
                ex.json(
                    200,
                    WireWriter.write(
                        g -> {
                          g.writeStartObject();
                          g.writeStringField("brokerId", ctx.brokerId());
                          g.writeObjectFieldStart("queues");
                          for (var e : resigned.entrySet()) {
                            g.writeObjectFieldStart(e.getKey());
                            g.writeFieldName("resigned");
                            WireWriter.brokerObject(g, BrokerView.shortOf(e.getValue()));
                            g.writeNumberField("revision", ctx.queues().get(e.getKey()).revision());
                            g.writeEndObject();
                          }
                          g.writeEndObject();
                          g.writeEndObject();
                        }));
              } catch (Throwable t) {
                ex.fail(t);
              }
            });
  }

  private void stats(Exchange ex, JobQueue queue) {
    ServedQueue served = ex.queue;
    answer(
        ex, queue.stats(), (s, e) -> e.json(200, WireWriter.stats(StatsView.of(served.name(), s))));
  }

  private void listQueues(Exchange ex) {
    ex.json(
        200,
        WireWriter.write(
            g -> {
              g.writeStartObject();
              g.writeArrayFieldStart("queues");
              for (ServedQueue q : ctx.queues().values()) {
                g.writeStartObject();
                g.writeStringField("name", q.name());
                g.writeStringField("store", q.spec.redactedStoreUri());
                g.writeStringField("status", q.status().wireName());
                g.writeEndObject();
              }
              g.writeEndArray();
              g.writeEndObject();
            }));
  }

  /**
   * Liveness, as the takeover rule reads it: 200 with this broker's id while it serves at least one
   * queue. Each queue also tells its engine's state and why it does not serve.
   */
  private void health(Exchange ex) {
    boolean anyServing = false;
    boolean anyFenced = false;
    boolean anyHandedOver = false;
    for (ServedQueue q : ctx.queues().values()) {
      anyServing |= q.status() == ServedQueue.Status.SERVING;
      anyFenced |= q.status() == ServedQueue.Status.FENCED;
      anyHandedOver |= q.status() == ServedQueue.Status.HANDED_OVER;
    }
    String status;
    int code;
    if (ctx.starting()) {
      status = "starting";
      code = 503;
    } else if (ctx.stopping()) {
      status = "stopping";
      code = 503;
    } else if (!anyServing && anyHandedOver) {
      // alive and redirecting to its successor: not a reason for a supervisor to restart it
      // (the takeover rule reads the status, not only the code)
      status = "handed_over";
      code = 200;
    } else if (!anyServing && anyFenced) {
      status = "fenced";
      code = 503;
    } else {
      status = "ok";
      code = 200;
    }
    ex.json(
        code,
        WireWriter.write(
            g -> {
              g.writeStartObject();
              g.writeStringField("status", status);
              g.writeStringField("brokerId", ctx.brokerId());
              g.writeStringField("address", ctx.address());
              g.writeObjectFieldStart("queues");
              for (ServedQueue q : ctx.queues().values()) {
                g.writeObjectFieldStart(q.name());
                g.writeStringField("status", q.status().wireName());
                var b = q.status() == ServedQueue.Status.SERVING ? q.broker() : null;
                if (b != null) {
                  g.writeNumberField("epoch", b.epoch());
                } else {
                  g.writeNullField("epoch");
                }
                g.writeNumberField("revision", q.revision());
                engineHealth(g, q.engineHealth());
                g.writeEndObject();
              }
              g.writeEndObject();
              g.writeEndObject();
            }));
  }

  /**
   * Readiness: 200 only when every served queue is held by this broker and its engine serves; 503
   * otherwise, with each queue's state, so that an orchestrator or a standby can act.
   */
  private void ready(Exchange ex) {
    boolean ready = !ctx.starting() && !ctx.stopping();
    for (ServedQueue q : ctx.queues().values()) {
      ready &= q.ready();
    }
    boolean allReady = ready;
    ex.json(
        allReady ? 200 : 503,
        WireWriter.write(
            g -> {
              g.writeStartObject();
              g.writeBooleanField("ready", allReady);
              g.writeStringField("brokerId", ctx.brokerId());
              g.writeObjectFieldStart("queues");
              for (ServedQueue q : ctx.queues().values()) {
                g.writeObjectFieldStart(q.name());
                engineHealth(g, q.engineHealth());
                g.writeEndObject();
              }
              g.writeEndObject();
              g.writeEndObject();
            }));
  }

  /** Reads meters only: queue figures come from each queue's last-batch snapshot. */
  private void metrics(Exchange ex) {
    ex.send(
        200,
        "text/plain; version=0.0.4; charset=utf-8",
        ctx.metrics().scrape().getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------ completion

  /**
   * Answers when {@code f} completes, on the thread that completes it: usually the commit thread,
   * right after the write. Writing an answer never blocks (Jetty queues what the socket does not
   * take), and it costs less than handing each answer to another thread.
   */
  private <T> void answer(Exchange ex, CompletableFuture<T> f, BiConsumer<T, Exchange> onSuccess) {
    f.whenComplete(
        (result, error) -> {
          try {
            if (error != null) {
              noteFencing(ex, error);
              ex.fail(late(ex, error));
            } else {
              onSuccess.accept(result, ex);
            }
          } catch (Throwable t) {
            log.error("answering {} {} failed", ex.method(), ex.route, t);
            ex.fail(t);
          }
        });
  }

  /**
   * A request that reached the engine after the queue stopped serving (closed on shutdown or handed
   * over) was not applied: it gets the same answer as a request arriving now.
   */
  private Throwable late(Exchange ex, Throwable error) {
    if (ErrorMapping.unwrap(error) instanceof dev.casq.api.QueueClosedException
        && ex.queue != null
        && ex.queue.status() != ServedQueue.Status.SERVING) {
      return ex.queue.notServing(ctx.executor());
    }
    return error;
  }

  private void noteFencing(Exchange ex, Throwable error) {
    if (ErrorMapping.unwrap(error) instanceof FencedException fe && ex.queue != null) {
      ctx.fenced(ex.queue, fe);
    }
  }

  // ------------------------------------------------------------------ recurring schedules

  /**
   * {@code GET /v1/queues/{q}/schedules} lists; {@code PUT .../schedules/{name}} creates or
   * replaces; {@code DELETE .../schedules/{name}} deletes.
   */
  private void schedules(Exchange ex, String path, String q, String name) {
    if (name == null) {
      ex.route = "/v1/queues/{q}/schedules";
      requireMethod(ex, GET, path);
      JobQueue queue = serving(ex, q);
      answer(ex, queue.schedules(), (all, e) -> e.json(200, ScheduleWire.list(all)));
      return;
    }
    ex.route = "/v1/queues/{q}/schedules/{name}";
    requireMethod(ex, "PUT, DELETE", path);
    JobQueue queue = serving(ex, q);
    if (ex.method().equals("DELETE")) {
      answer(
          ex,
          queue.deleteSchedule(name),
          (deleted, e) -> e.json(200, ScheduleWire.deleted(name, deleted)));
      return;
    }
    withBody(
        ex,
        body -> {
          dev.casq.api.Schedule schedule = ctx.reader().readSchedule(name, body);
          answer(ex, queue.putSchedule(schedule), (i, e) -> e.json(200, ScheduleWire.view(i)));
        });
  }
}
