package dev.casq.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.casq.api.PushOptions;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.QueueState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planned hand-overs under push load, with real broker processes on {@code file://}: each new
 * {@code casq broker --handover} asks the live one to hand the queue over; the old one resigns at a
 * clean point and redirects late requests (421) until it gets SIGTERM (then exits 0); the new one
 * claims at the next epoch. Load: 8 threads pushing through the Java client (every push with an
 * idempotency key) and 2 plain-HTTP pushers that count every answer by status.
 *
 * <p>Checks: no error reaches a Java-client caller, no plain-HTTP push goes unacknowledged, every
 * acknowledged push is a job exactly once. Figures: non-2xx answers by status, p99 push latency in
 * the hand-over windows and overall, and the longest pause between two acknowledgements in each
 * window. 3 hand-overs in CI; {@code -Dcasq.it.handover.count=10} for the full run.
 */
@DisplayName("planned hand-over under push load with real processes on file://")
class FileHandoverTest {
  private static final String TOKEN = "handover-test-token";
  private static final Duration START = Duration.ofSeconds(60);
  private static final String CLI_MAIN = "dev.casq.cli.Main";

  @TempDir Path dir;
  private final List<ChildJvm> children = new ArrayList<>();
  private final Path logDir =
      Path.of(
          "target",
          "chaos-logs",
          "file",
          "handover-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss")));

  @AfterEach
  void killEverything() {
    children.forEach(ChildJvm::close);
  }

  record Ack(long atNanos, long latencyNanos) {}

  @Test
  void handOversUnderPushLoadLoseNothingDoubleNothingAndSurfaceNoError() throws Exception {
    int handovers = Integer.getInteger("casq.it.handover.count", 3);
    int connections = Integer.getInteger("casq.it.handover.connections", 16);
    String uri = dir.resolve("ho.json").toUri().toString();
    ChildJvm live = broker(0, uri, false);
    servingAddress(live);

    Map<String, String> clientAcks = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    Map<String, String> rawAcks = new ConcurrentHashMap<>();
    Map<String, AtomicLong> statuses = RawPusher.newStatusCounts();
    Map<String, AtomicLong> stickyStatuses = RawPusher.newStatusCounts();
    ConcurrentLinkedQueue<Ack> stickyAcks = new ConcurrentLinkedQueue<>();
    List<RawPusher> raw = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try (CasqClient client =
            CasqClient.builder()
                .storeUri(uri)
                .token(TOKEN)
                .staleAfter(Duration.ofMillis(1500))
                .takeover(TakeoverPolicy.WAIT)
                .build();
        QueueObject object = new QueueObject(uri, Map.of())) {
      ClientQueue<JsonNode> queue = client.queue(JsonNode.class);
      AtomicLong running = new AtomicLong(1);
      for (int t = 0; t < 8; t++) {
        String prefix = "j" + t;
        Thread th =
            new Thread(
                () -> {
                  for (long n = 0; running.get() == 1; n++) {
                    String key = prefix + "-" + n;
                    long sent = System.nanoTime();
                    try {
                      String id =
                          queue
                              .push(
                                  JsonNodeFactory.instance.objectNode().put("k", key),
                                  PushOptions.none().key(key))
                              .jobId();
                      long now = System.nanoTime();
                      acks.add(new Ack(now, now - sent));
                      clientAcks.put(key, id);
                    } catch (RuntimeException e) {
                      errors.add(e);
                    }
                  }
                },
                "client-pusher-" + t);
        threads.add(th);
      }
      for (int t = 0; t < 2; t++) {
        RawPusher p =
            new RawPusher(
                "ho",
                TOKEN,
                object::brokerAddress,
                "h" + t,
                rawAcks,
                statuses,
                Duration.ofSeconds(30));
        raw.add(p);
        threads.add(new Thread(p, "http-pusher-" + t));
      }
      // the load a plain HTTP load generator puts on: keep-alive connections that stay on the
      // broker they were opened to and never follow a 421. By default all on one asynchronous
      // client (cheap, as wrk is); -Dcasq.it.handover.load=threads for a blocking thread and an
      // HTTP client per connection
      boolean threadPerConnection = "threads".equals(System.getProperty("casq.it.handover.load"));
      AsyncPushLoad async = null;
      if (threadPerConnection) {
        for (int t = 0; t < connections; t++) {
          RawPusher p =
              new RawPusher(
                      "ho",
                      TOKEN,
                      object::brokerAddress,
                      "s" + t,
                      rawAcks,
                      stickyStatuses,
                      Duration.ofSeconds(30))
                  .notFollowingRedirects()
                  .onAck((at, latency) -> stickyAcks.add(new Ack(at, latency)));
          raw.add(p);
          threads.add(new Thread(p, "sticky-pusher-" + t));
        }
      } else {
        // -Dcasq.it.handover.paceMillis=64: each connection starts a push at most every 64 ms (an
        // open load, 2,000 pushes/s at 128 connections) instead of as fast as answers come
        Duration pace = Duration.ofMillis(Long.getLong("casq.it.handover.paceMillis", 0));
        async =
            new AsyncPushLoad(
                "ho",
                TOKEN,
                object::brokerAddress,
                connections,
                rawAcks,
                stickyStatuses,
                (at, latency) -> stickyAcks.add(new Ack(at, latency)),
                Duration.ofSeconds(30),
                pace);
        async.start();
      }
      threads.forEach(Thread::start);
      Awaitility.await().atMost(START).until(() -> clientAcks.size() >= 200);

      long loadCpuAtStart = cpuMillis(ProcessHandle.current());
      long startedAt = System.nanoTime();
      long brokerCpu = 0;
      List<long[]> windows = new ArrayList<>();
      List<long[]> stickyWindows = new ArrayList<>();
      List<String> pauses = new ArrayList<>();
      for (int h = 1; h <= handovers; h++) {
        long before = System.nanoTime();
        ChildJvm next = broker(h, uri, true);
        next.awaitLine(s -> s.startsWith("casq broker "), START, "the new broker serving");
        long served = System.nanoTime();
        brokerCpu += cpuMillis(live.process().toHandle()); // read while it still runs
        live.terminate(); // as an orchestrator stops the old instance once the new one is ready
        int code = live.awaitExit(Duration.ofSeconds(30));
        long gone = System.nanoTime();
        assertThat(code).as("hand-over %d: exit status of the old broker", h).isZero();
        BrokerRecord recorded = object.read().orElseThrow().broker();
        assertThat(recorded.id()).as("hand-over %d: the recorded broker", h).isEqualTo("ho-" + h);
        assertThat(recorded.epoch()).as("hand-over %d: the epoch", h).isEqualTo(h + 1);
        int seen = clientAcks.size();
        Awaitility.await().atMost(START).until(() -> clientAcks.size() >= seen + 200);
        windows.add(new long[] {before, served + 500_000_000L});
        // for the connections to the old broker, the window lasts until it is gone, plus 0.5 s
        stickyWindows.add(new long[] {before, gone + 500_000_000L});
        pauses.add(longestPauseMillis(acks, before, served + 500_000_000L) + " ms");
        live = next;
      }
      brokerCpu += cpuMillis(live.process().toHandle());
      long loadCpu = cpuMillis(ProcessHandle.current()) - loadCpuAtStart;
      long wallMillis = (System.nanoTime() - startedAt) / 1_000_000;
      running.set(0);
      raw.forEach(RawPusher::stop);
      if (async != null) {
        async.stopAndAwait(Duration.ofSeconds(60));
        async.close();
        assertThat(async.failure()).as("a plain-HTTP push not acknowledged").isNull();
        assertThat(async.nonSuccessAnswers())
            .as("non-2xx answers to the asynchronous load")
            .isEmpty();
      }
      for (Thread t : threads) {
        t.join(60_000);
      }

      assertThat(errors).as("errors surfaced to Java-client callers").isEmpty();
      for (RawPusher p : raw) {
        assertThat(p.failure()).as("a plain-HTTP push not acknowledged").isNull();
      }
      QueueState state = object.read().orElseThrow();
      Map<String, Job> committed = object.liveJobs(state); // in the head or in a segment
      Set<String> ids = new HashSet<>();
      for (Map<String, String> m : List.of(clientAcks, rawAcks)) {
        for (Map.Entry<String, String> e : m.entrySet()) {
          assertThat(committed.get(e.getValue()))
              .as("acknowledged push %s (job %s)", e.getKey(), e.getValue())
              .isNotNull();
          assertThat(committed.get(e.getValue()).idempotencyKey()).isEqualTo(e.getKey());
          assertThat(ids.add(e.getValue()))
              .as("job %s acknowledged for one key only", e.getValue())
              .isTrue();
        }
      }
      assertThat(state.counters().pushed())
          .as("jobs created = acknowledged keys (none doubled)")
          .isEqualTo(ids.size());
      for (Map<String, AtomicLong> m : List.of(statuses, stickyStatuses)) {
        for (Map.Entry<String, AtomicLong> e : m.entrySet()) {
          if (e.getKey().matches("\\d+")) {
            assertThat(Integer.parseInt(e.getKey()))
                .as("plain-HTTP answers %s: %s answered %s", m, e.getValue(), e.getKey())
                .isBetween(200, 299);
          }
        }
      }

      List<Long> stickyInWindows = new ArrayList<>();
      List<Long> stickyAll = new ArrayList<>();
      for (Ack a : stickyAcks) {
        stickyAll.add(a.latencyNanos());
        for (long[] w : stickyWindows) {
          if (a.atNanos() >= w[0] && a.atNanos() <= w[1]) {
            stickyInWindows.add(a.latencyNanos());
          }
        }
      }
      List<Long> inWindows = new ArrayList<>();
      List<Long> all = new ArrayList<>();
      for (Ack a : acks) {
        all.add(a.latencyNanos());
        for (long[] w : windows) {
          if (a.atNanos() >= w[0] && a.atNanos() <= w[1]) {
            inWindows.add(a.latencyNanos());
          }
        }
      }
      String figures =
          "file hand-over (load "
              + (threadPerConnection
                  ? "a thread per connection"
                  : "asynchronous, pace " + Long.getLong("casq.it.handover.paceMillis", 0) + " ms")
              + ", casq.headMaxReadyJobs="
              + System.getProperty("casq.headMaxReadyJobs", "unset")
              + ", load average at the end "
              + loadAverage()
              + "): "
              + handovers
              + " hand-overs, "
              + ids.size()
              + " pushes ("
              + clientAcks.size()
              + " Java client, "
              + rawAcks.size()
              + " plain HTTP),"
              + " 0 lost, 0 doubled, 0 errors; "
              + connections
              + " keep-alive connections not"
              + " following 421: answers "
              + stickyStatuses
              + ", push p99 in hand-over windows "
              + p99Millis(stickyInWindows)
              + " ms (n="
              + stickyInWindows.size()
              + "), overall "
              + p99Millis(stickyAll)
              + " ms; 421-following plain-HTTP answers "
              + statuses
              + "; Java-client p99 in hand-over windows "
              + p99Millis(inWindows)
              + " ms (n="
              + inWindows.size()
              + "), overall "
              + p99Millis(all)
              + " ms; longest pause between"
              + " acknowledgements per hand-over "
              + pauses
              + "; CPU during the hand-overs ("
              + wallMillis
              + " ms): this JVM (load and Java client) "
              + loadCpu
              + " ms, the brokers "
              + brokerCpu
              + " ms (the first broker's start included)";
      System.out.println(figures);
      java.nio.file.Files.writeString(
          Path.of("target", "chaos-figures.txt"),
          figures + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
  }

  /** CPU time of a process so far, in ms (-1 when the system does not say). */
  private static long cpuMillis(ProcessHandle p) {
    return p.info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static long longestPauseMillis(ConcurrentLinkedQueue<Ack> acks, long from, long to) {
    List<Long> at = new ArrayList<>();
    for (Ack a : acks) {
      if (a.atNanos() >= from && a.atNanos() <= to) {
        at.add(a.atNanos());
      }
    }
    at.sort(Long::compare);
    long longest = 0;
    for (int i = 1; i < at.size(); i++) {
      longest = Math.max(longest, at.get(i) - at.get(i - 1));
    }
    return longest / 1_000_000;
  }

  private static String p99Millis(List<Long> nanos) {
    if (nanos.isEmpty()) {
      return "-";
    }
    List<Long> s = new ArrayList<>(nanos);
    s.sort(Long::compare);
    long v = s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.99) - 1));
    return String.format(java.util.Locale.ROOT, "%.1f", v / 1e6);
  }

  private ChildJvm broker(int n, String uri, boolean handover) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "broker",
                "--store",
                uri,
                "--listen",
                "127.0.0.1:0",
                "--broker-id",
                "ho-" + n,
                "--token",
                TOKEN,
                "--heartbeat",
                "250ms",
                "--stale-after",
                "1500ms"));
    if (handover) {
      args.add("--handover");
    }
    ChildJvm c = ChildJvm.start("broker-" + n, logDir, Map.of(), CLI_MAIN, args);
    children.add(c);
    return c;
  }

  private static String servingAddress(ChildJvm broker) {
    String line =
        broker
            .awaitLine(s -> s.startsWith("casq broker "), START, "'casq broker ... at ADDRESS'")
            .text();
    return line.substring(line.lastIndexOf(' ') + 1);
  }
}
