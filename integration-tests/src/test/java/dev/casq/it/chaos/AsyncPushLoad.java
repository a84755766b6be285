package dev.casq.it.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The load of a plain-HTTP load generator, made cheap: {@code lanes} pushes in flight at once (one
 * per lane, each lane with its own keys), all on ONE asynchronous HTTP/1.1 client with two threads,
 * instead of a blocking thread and an HTTP client per connection. Like {@link RawPusher} with
 * {@link RawPusher#notFollowingRedirects()}: every push carries an idempotency key, a 421 is not
 * followed, a refused connection or a 503 is retried at the address the queue object names now
 * (read at most every 20 ms for all lanes together), every answer is counted by status, and a push
 * not acknowledged within its deadline stops its lane and is reported.
 */
final class AsyncPushLoad implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Receives the time of each acknowledgement and its latency (first send to answer), in ns. */
  interface AckSink {
    void ack(long atNanos, long latencyNanos);
  }

  private final ExecutorService executor =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "async-push-load");
            t.setDaemon(true);
            return t;
          });
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .executor(executor)
          .build();
  private final String queue;
  private final String token;
  private final Supplier<String> recordedAddress;
  private final Map<String, String> acked;
  private final Map<String, AtomicLong> statuses;
  private final AckSink onAck;
  private final Duration deadlinePerPush;
  private final long paceNanos;
  private final CountDownLatch lanesDone;
  private final int lanes;
  private volatile boolean stop;
  private volatile Throwable failure;
  private volatile String address;
  private volatile long addressReadAt;
  private final java.util.Queue<String> nonSuccess =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  AsyncPushLoad(
      String queue,
      String token,
      Supplier<String> recordedAddress,
      int lanes,
      Map<String, String> acked,
      Map<String, AtomicLong> statuses,
      AckSink onAck,
      Duration deadlinePerPush) {
    this(
        queue,
        token,
        recordedAddress,
        lanes,
        acked,
        statuses,
        onAck,
        deadlinePerPush,
        Duration.ZERO);
  }

  /**
   * A load whose lanes each start a push at most every {@code pace} (an open load of lanes / pace
   * pushes per second while the broker keeps up, as a service's steady traffic is; a slower answer
   * delays only its own lane), or as fast as answers come with {@link Duration#ZERO}.
   */
  AsyncPushLoad(
      String queue,
      String token,
      Supplier<String> recordedAddress,
      int lanes,
      Map<String, String> acked,
      Map<String, AtomicLong> statuses,
      AckSink onAck,
      Duration deadlinePerPush,
      Duration pace) {
    this.paceNanos = pace.toNanos();
    this.queue = queue;
    this.token = token;
    this.recordedAddress = recordedAddress;
    this.lanes = lanes;
    this.acked = acked;
    this.statuses = statuses;
    this.onAck = onAck;
    this.deadlinePerPush = deadlinePerPush;
    this.lanesDone = new CountDownLatch(lanes);
  }

  /** Starts every lane. */
  void start() {
    address = recordedAddress.get();
    addressReadAt = System.nanoTime();
    for (int i = 0; i < lanes; i++) {
      Lane lane = new Lane("a" + i);
      executor.execute(lane::next);
    }
  }

  /** Asks every lane to stop after its push in flight; waits for them. */
  void stopAndAwait(Duration max) throws InterruptedException {
    stop = true;
    if (!lanesDone.await(max.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the async push load did not stop within " + max);
    }
  }

  /** The first few non-2xx answers: status, broker address, body. */
  java.util.List<String> nonSuccessAnswers() {
    return java.util.List.copyOf(nonSuccess);
  }

  /** The first push that could not be acknowledged within its deadline, or null. */
  Throwable failure() {
    return failure;
  }

  @Override
  public void close() {
    stop = true;
    executor.shutdownNow();
  }

  /** The recorded broker's address, read again when the last read is older than 20 ms. */
  private String freshAddress() {
    long now = System.nanoTime();
    if (now - addressReadAt > 20_000_000L) {
      synchronized (this) {
        if (now - addressReadAt > 20_000_000L) {
          address = recordedAddress.get();
          addressReadAt = System.nanoTime();
        }
      }
    }
    return address;
  }

  private void count(String what) {
    statuses.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
  }

  /** One push in flight at a time, on the address it last used, until told to stop. */
  private final class Lane {
    private final String prefix;
    private long n;
    private String laneAddress;
    private String key;
    private byte[] body;
    private long firstSent;
    private String last = "";

    Lane(String prefix) {
      this.prefix = prefix;
      this.laneAddress = address;
    }

    void next() {
      if (stop) {
        lanesDone.countDown();
        return;
      }
      key = prefix + "-" + n++;
      body =
          ("{\"payload\":{\"k\":\"" + key + "\"},\"key\":\"" + key + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      firstSent = System.nanoTime();
      send();
    }

    void send() {
      if (System.nanoTime() - firstSent > deadlinePerPush.toNanos()) {
        failure =
            new IllegalStateException(
                "push " + key + " not acknowledged within " + deadlinePerPush + "; last: " + last);
        lanesDone.countDown();
        return;
      }
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(laneAddress + "/v1/queues/" + queue + "/jobs"))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete(
              (r, e) -> {
                try {
                  if (e != null) {
                    answered(null, e instanceof CompletionException ? e.getCause() : e);
                  } else {
                    answered(r, null);
                  }
                } catch (RuntimeException | java.io.IOException ex) {
                  failure = ex;
                  lanesDone.countDown();
                }
              });
    }

    private void answered(HttpResponse<byte[]> r, Throwable e) throws java.io.IOException {
      if (e != null) {
        count(e instanceof ConnectException ? "refused" : "io-error");
        last = e.toString();
        retryLater();
        return;
      }
      int status = r.statusCode();
      count(Integer.toString(status));
      if (status == 200 || status == 201) {
        JsonNode answer = JSON.readTree(r.body());
        acked.put(key, answer.get("id").asText());
        long now = System.nanoTime();
        onAck.ack(now, now - firstSent);
        long wait = paceNanos - (now - firstSent);
        if (wait > 0) {
          CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS, executor)
              .execute(this::next);
        } else {
          next();
        }
      } else if (status == 421 || status == 503) {
        last = status + " " + new String(r.body(), StandardCharsets.UTF_8);
        if (nonSuccess.size() < 10) {
          nonSuccess.add(
              status + " from " + laneAddress + " at " + java.time.Instant.now() + ": " + last);
        }
        retryLater();
      } else {
        throw new IllegalStateException(
            "push " + key + " got " + status + " " + new String(r.body(), StandardCharsets.UTF_8));
      }
    }

    /** A retry pause, as any client has, then the address the queue object names now. */
    private void retryLater() {
      CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS, executor)
          .execute(
              () -> {
                laneAddress = freshAddress();
                send();
              });
    }
  }
}
