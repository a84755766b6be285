package dev.casq.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.QueueState;
import dev.casq.election.ResignBrokerCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * SIGTERM, sent at random moments, to every kind of process that hosts a broker: {@code casq
 * broker}, {@code casq work} and {@code casq push} (both start a broker in their own process when
 * none is alive). After every cycle: the process exited 0, its log says the broker resigned and
 * stopped, the queue object records the broker as resigned (heartbeat 1970-01-01T00:00:00Z, id and
 * epoch kept), and every push it acknowledged is in the object.
 *
 * <p>Cycles: {@link #defaultCycles()} per backend in CI; {@code -Dcasq.it.sigterm.cycles=200} for
 * the full run; {@code -Dcasq.it.sigterm.seed=N} replays the moments of a run.
 */
abstract class AbstractGracefulStopTest {
  static final Duration HEARTBEAT = Duration.ofMillis(250);
  static final Duration STALE_AFTER = Duration.ofMillis(1500);
  static final Duration START = Duration.ofSeconds(60);
  static final Duration EXIT = Duration.ofSeconds(30);
  private static final String CLI_MAIN = "dev.casq.cli.Main";

  private final List<ChildJvm> children = new ArrayList<>();
  private Path logDir;

  protected abstract String queueUri(String name);

  protected abstract Map<String, String> storeProperties();

  protected abstract Map<String, String> childEnvironment();

  protected abstract String backend();

  /** Cycles of each test in CI. */
  protected abstract int defaultCycles();

  @BeforeEach
  void names(TestInfo info) {
    String test = info.getTestMethod().map(m -> m.getName()).orElse("test");
    logDir =
        Path.of(
            "target",
            "chaos-logs",
            backend(),
            test + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss")));
  }

  @AfterEach
  void killEverything() {
    for (ChildJvm c : children) {
      c.close();
    }
    children.clear();
  }

  private int cycles() {
    return Integer.getInteger("casq.it.sigterm.cycles", defaultCycles());
  }

  private Random random(String test) {
    long seed = Long.getLong("casq.it.sigterm.seed", System.nanoTime());
    System.out.println(
        backend()
            + " "
            + test
            + ": seed "
            + seed
            + " (-Dcasq.it.sigterm.seed="
            + seed
            + " replays it), "
            + cycles()
            + " cycles");
    return new Random(seed);
  }

  /**
   * {@code casq broker} on a fresh queue; once it serves: one push and SIGTERM at once, one push
   * and SIGTERM up to 2 s later, or SIGTERM while 4 clients push (after 1 to 100 acknowledged
   * pushes, so with writes in flight).
   */
  @Test
  void brokerResignsAndExitsZeroOnSigtermAtRandomMoments() throws Exception {
    Random rnd = random("broker");
    Map<String, Long> modes = new ConcurrentHashMap<>();
    Map<String, AtomicLong> statuses = RawPusher.newStatusCounts();
    long stopMillisMax = 0;
    for (int i = 0; i < cycles(); i++) {
      String name = "stop" + i;
      String uri = queueUri(name);
      String id = "broker-stop-" + i;
      ChildJvm broker =
          child(
              "broker-" + i,
              List.of(
                  "broker",
                  "--store",
                  uri,
                  "--listen",
                  "127.0.0.1:0",
                  "--broker-id",
                  id,
                  "--heartbeat",
                  millis(HEARTBEAT),
                  "--stale-after",
                  millis(STALE_AFTER)));
      String address = servingAddress(broker);
      Map<String, String> acked = new ConcurrentHashMap<>();
      int mode = rnd.nextInt(3);
      List<RawPusher> load = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      int pushers = mode == 2 ? 4 : 1;
      for (int p = 0; p < pushers; p++) {
        RawPusher pusher =
            new RawPusher(
                name,
                null,
                () -> address,
                "c" + i + "p" + p,
                acked,
                statuses,
                Duration.ofSeconds(5));
        load.add(pusher);
        Thread t = new Thread(pusher, "pusher-" + p);
        threads.add(t);
      }
      if (mode == 2) {
        threads.forEach(Thread::start);
        int want = 1 + rnd.nextInt(100);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= want);
      } else {
        load.get(0).stop(); // one push only: stop() is read after the first push
        threads.get(0).start();
        threads.get(0).join(10_000);
        assertThat(acked).as("cycle %d: the push before the signal", i).hasSize(1);
        if (mode == 1) {
          Thread.sleep(rnd.nextInt(2000)); // the moment of the signal, not a synchronisation
        }
      }
      modes.merge(
          mode == 0
              ? "push, SIGTERM at once"
              : mode == 1 ? "push, SIGTERM within 2 s" : "SIGTERM under load",
          1L,
          Long::sum);
      long signalled = System.nanoTime();
      broker.terminate();
      int code = broker.awaitExit(EXIT);
      long tookMillis = (System.nanoTime() - signalled) / 1_000_000;
      stopMillisMax = Math.max(stopMillisMax, tookMillis);
      load.forEach(RawPusher::stop);
      for (Thread t : threads) {
        t.join(10_000);
      }
      String log = errLog(broker);
      assertThat(code)
          .as(
              "cycle %d (mode %d): exit status of casq broker after SIGTERM; log:%n%s",
              i, mode, log)
          .isZero();
      assertResigned(uri, id, log, "cycle " + i + " (mode " + mode + ")");
      assertDurable(uri, acked, "cycle " + i);
    }
    System.out.println(
        backend()
            + " broker SIGTERM: "
            + cycles()
            + " cycles "
            + modes
            + ", answers seen by the pushers "
            + statuses
            + ", longest stop "
            + stopMillisMax
            + " ms");
  }

  /**
   * {@code casq work} on a fresh queue hosts the broker (none is alive): a job is pushed to it;
   * SIGTERM at once, once the job is done, or up to 2 s later.
   */
  @Test
  void workHostingABrokerResignsAndExitsZeroOnSigterm() throws Exception {
    Random rnd = random("work");
    int n = Math.max(1, cycles() / 4);
    long stopMillisMax = 0;
    for (int i = 0; i < n; i++) {
      String name = "work" + i;
      String uri = queueUri(name);
      ChildJvm work =
          child(
              "work-" + i,
              List.of("work", "--store", uri, "--poll-wait", "10s", "--", "sh", "-c", "cat; echo"));
      BrokerRecord hosted = awaitBroker(uri);
      Map<String, String> acked = new ConcurrentHashMap<>();
      RawPusher one =
          new RawPusher(
              name,
              null,
              hosted::address,
              "w" + i,
              acked,
              RawPusher.newStatusCounts(),
              Duration.ofSeconds(10));
      one.stop();
      one.run();
      assertThat(acked).hasSize(1);
      int mode = rnd.nextInt(3);
      String payloadKey = "\"w" + i + "-0\"";
      if (mode >= 1) {
        work.awaitLine(s -> s.contains(payloadKey), START, "the job's payload from cat");
      }
      if (mode == 2) {
        Thread.sleep(rnd.nextInt(2000)); // the moment of the signal
      }
      long signalled = System.nanoTime();
      work.terminate();
      int code = work.awaitExit(EXIT);
      stopMillisMax = Math.max(stopMillisMax, (System.nanoTime() - signalled) / 1_000_000);
      String log = errLog(work);
      assertThat(code)
          .as("cycle %d: exit status of casq work after SIGTERM; log:%n%s", i, log)
          .isZero();
      assertResigned(uri, hosted.id(), log, "work cycle " + i);
    }
    System.out.println(
        backend() + " work SIGTERM: " + n + " cycles, longest stop " + stopMillisMax + " ms");
  }

  /**
   * {@code casq push} on a fresh queue hosts the broker for its push: SIGTERM once the broker is
   * recorded (the push in flight or done), at once or up to 1 s later.
   */
  @Test
  void pushHostingABrokerResignsAndExitsZeroOnSigterm() throws Exception {
    Random rnd = random("push");
    int n = Math.max(1, cycles() / 4);
    for (int i = 0; i < n; i++) {
      String uri = queueUri("push" + i);
      ChildJvm push = child("push-" + i, List.of("push", "--store", uri, "{\"n\":" + i + "}"));
      BrokerRecord hosted = awaitBroker(uri);
      if (rnd.nextBoolean()) {
        Thread.sleep(rnd.nextInt(1000)); // the moment of the signal
      }
      push.terminate();
      int code = push.awaitExit(EXIT);
      String log = errLog(push);
      assertThat(code)
          .as("cycle %d: exit status of casq push after SIGTERM; log:%n%s", i, log)
          .isZero();
      String jobId =
          push.awaitLine(s -> !s.isBlank(), Duration.ofSeconds(5), "the job id").text().trim();
      assertResignedRecord(uri, hosted.id(), "push cycle " + i);
      try (QueueObject object = new QueueObject(uri, storeProperties())) {
        assertThat(object.read().orElseThrow().job(jobId))
            .as("the pushed job %s", jobId)
            .isNotNull();
      }
    }
  }

  // ------------------------------------------------------------------ checks

  private void assertResigned(String uri, String brokerId, String log, String what) {
    assertThat(log).as(what + ": the log says the broker resigned").contains("resigned from");
    assertThat(log).as(what + ": the log says the broker stopped").contains(" stopped");
    assertResignedRecord(uri, brokerId, what);
  }

  private void assertResignedRecord(String uri, String brokerId, String what) {
    try (QueueObject object = new QueueObject(uri, storeProperties())) {
      BrokerRecord r = object.read().orElseThrow().broker();
      assertThat(r).as(what + ": the broker record").isNotNull();
      assertThat(r.id()).as(what + ": the recorded broker").isEqualTo(brokerId);
      assertThat(r.heartbeatAt())
          .as(what + ": the record is marked resigned")
          .isEqualTo(ResignBrokerCommand.RESIGNED);
    }
  }

  private void assertDurable(String uri, Map<String, String> acked, String what) {
    try (QueueObject object = new QueueObject(uri, storeProperties())) {
      QueueState state = object.read().orElseThrow();
      Map<String, dev.casq.core.internal.Job> live = object.liveJobs(state); // head and segments
      for (Map.Entry<String, String> e : acked.entrySet()) {
        assertThat(live.get(e.getValue()))
            .as(what + ": acknowledged push %s (job %s)", e.getKey(), e.getValue())
            .isNotNull();
      }
      assertThat(state.counters().pushed())
          .as(what + ": one job per acknowledged key")
          .isEqualTo(acked.size());
    }
  }

  /** Waits until the object names a broker with a live heartbeat and returns it. */
  private BrokerRecord awaitBroker(String uri) {
    try (QueueObject object = new QueueObject(uri, storeProperties())) {
      return Awaitility.await()
          .atMost(START)
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                try {
                  return object
                      .read()
                      .map(QueueState::broker)
                      .filter(b -> !b.heartbeatAt().equals(ResignBrokerCommand.RESIGNED))
                      .orElse(null);
                } catch (RuntimeException e) {
                  return null; // not there yet
                }
              },
              b -> b != null);
    }
  }

  private static String servingAddress(ChildJvm broker) {
    String line =
        broker
            .awaitLine(s -> s.startsWith("casq broker "), START, "'casq broker ... at ADDRESS'")
            .text();
    return line.substring(line.lastIndexOf(' ') + 1);
  }

  private String errLog(ChildJvm c) {
    try {
      return Files.readString(logDir.resolve(c.name() + ".err.log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ChildJvm child(String name, List<String> args) {
    ChildJvm c = ChildJvm.start(name, logDir, childEnvironment(), CLI_MAIN, args);
    children.add(c);
    return c;
  }

  private static String millis(Duration d) {
    return d.toMillis() + "ms";
  }
}
