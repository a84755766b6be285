package dev.casq.it.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Pushes over plain HTTP (HTTP/1.1, one keep-alive connection per pusher), as a client without the
 * SDK would: every push carries an idempotency key; a 421 is followed to the broker it names
 * (unless the pusher is made not to follow, as a load generator or a proxy would not), a 503 or a
 * refused connection is retried at the broker the queue object names now (as a load balancer would
 * re-resolve). Every answer's status is counted, so a test can report what clients saw.
 */
final class RawPusher implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final String queue;
  private final String token;
  private final Supplier<String> recordedAddress;
  private final String prefix;
  private final Map<String, String> acked;
  private final Map<String, AtomicLong> statuses;
  private final Duration deadlinePerPush;
  private boolean follow421 = true;
  private AckSink onAck = (at, latency) -> {};
  private volatile boolean stop;
  private volatile String address;
  private volatile Throwable failure;

  /**
   * @param recordedAddress reads the address the queue object names now
   * @param acked receives key -> job id for every acknowledged push
   * @param statuses counts answers by status ("201", "421", "503", "refused", ...)
   */
  RawPusher(
      String queue,
      String token,
      Supplier<String> recordedAddress,
      String prefix,
      Map<String, String> acked,
      Map<String, AtomicLong> statuses,
      Duration deadlinePerPush) {
    this.queue = queue;
    this.token = token;
    this.recordedAddress = recordedAddress;
    this.prefix = prefix;
    this.acked = acked;
    this.statuses = statuses;
    this.deadlinePerPush = deadlinePerPush;
  }

  /** Receives the time of each acknowledgement and its latency (first send to answer), in ns. */
  interface AckSink {
    void ack(long atNanos, long latencyNanos);
  }

  /** Does not follow 421 (counts it and retries at the address the queue object names). */
  RawPusher notFollowingRedirects() {
    follow421 = false;
    return this;
  }

  RawPusher onAck(AckSink sink) {
    onAck = sink;
    return this;
  }

  static Map<String, AtomicLong> newStatusCounts() {
    return new ConcurrentHashMap<>();
  }

  void stop() {
    stop = true;
  }

  /** The first push that could not be acknowledged within its deadline, or null. */
  Throwable failure() {
    return failure;
  }

  @Override
  public void run() {
    address = recordedAddress.get();
    long n = 0;
    do {
      String key = prefix + "-" + n++;
      try {
        long sent = System.nanoTime();
        acked.put(key, push(key));
        long now = System.nanoTime();
        onAck.ack(now, now - sent);
      } catch (Exception e) {
        failure = e;
        return;
      }
    } while (!stop);
  }

  private String push(String key) throws IOException, InterruptedException {
    byte[] body = JSON.writeValueAsBytes(Map.of("payload", Map.of("k", key), "key", key));
    long deadline = System.nanoTime() + deadlinePerPush.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(address + "/v1/queues/" + queue + "/jobs"))
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      HttpResponse<byte[]> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        count(e instanceof java.net.ConnectException ? "refused" : "io-error");
        last = e.toString();
        address = recordedAddress.get();
        Thread.sleep(10); // a retry pause, as any client has
        continue;
      }
      int status = r.statusCode();
      count(Integer.toString(status));
      JsonNode answer = JSON.readTree(r.body());
      if (status == 200 || status == 201) {
        return answer.get("id").asText();
      }
      last = status + " " + answer;
      if (status == 421 && follow421 && answer.path("broker").hasNonNull("address")) {
        address = answer.path("broker").get("address").asText();
      } else if (status == 421 || status == 503) {
        address = recordedAddress.get();
        Thread.sleep(10);
      } else {
        throw new IllegalStateException("push " + key + " got " + last);
      }
    }
    throw new IllegalStateException(
        "push " + key + " not acknowledged within " + deadlinePerPush + "; last: " + last);
  }

  private void count(String what) {
    statuses.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
  }
}
