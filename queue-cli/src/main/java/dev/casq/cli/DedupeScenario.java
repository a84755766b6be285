package dev.casq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.BatchCompleteException;
import dev.casq.api.BatchPushException;
import dev.casq.api.ClaimRequest;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.api.QueueStats;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.JsonPush;
import dev.casq.client.RetryPolicy;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code casq bench --scenario dedupe}: the dedupe window end to end. An active {@code casq broker}
 * process and a standby ({@code --standby}) serve one {@code file://} queue; keyed batch pushes
 * arrive at a target rate from several connections while consumers claim in batches and complete;
 * every acknowledged push is recorded (key to job id). At {@code killAt} the active broker gets
 * SIGKILL and the standby takes over once its heartbeat is stale. Throughout, and in a burst as
 * soon as the standby serves, earlier keys sampled at random over the whole window (half of the
 * burst from the 2 s before the kill) are pushed again: each must come back with its original job
 * id. At the end the serving broker resigns and the queue object and its segments are read from the
 * store: every acknowledged job must have been completed exactly once, or still be there, and no
 * key may have a second job.
 *
 * <p>A key is sampled only while it is certainly remembered: acknowledged less than the queue's
 * {@code idempotencyRetention} (minus a margin) ago.
 */
public final class DedupeScenario {
  private static final String QUEUE = "dedupe";
  private static final int RETRY_BATCH = 50;
  private static final int RETRIES_IN_FLIGHT = 4;

  /** Batch completions a consumer keeps in flight, each for the jobs of one claim. */
  private static final int COMPLETES_IN_FLIGHT = 4;

  /**
   * What to run.
   *
   * @param rate keyed pushes per second to aim at
   * @param duration how long the pushes go on
   * @param killAt when the active broker gets SIGKILL (from the start); null for no failover
   * @param retries keys pushed again and checked (half throughout, half once the standby serves)
   * @param connections push batches in flight at most
   * @param batch pushes per batch request
   * @param consumers consumer threads, each claiming up to {@code claimBatch} jobs at a time
   * @param claimBatch jobs per claim
   * @param window the reporting period
   * @param heartbeat the brokers' heartbeat interval
   * @param staleAfter the brokers' (and clients') staleness: when the standby takes over
   * @param retention the queue's idempotency retention (the default policy's: 5 minutes)
   * @param payloadBytes approximate size of each payload
   * @param brokerJvmOptions JVM options of both broker processes
   * @param storeProperties store properties of the brokers and clients
   * @param drainTimeout after the pushes, how long the consumers may take to empty the queue
   */
  public record Settings(
      int rate,
      Duration duration,
      Duration killAt,
      int retries,
      int connections,
      int batch,
      int consumers,
      int claimBatch,
      Duration window,
      Duration heartbeat,
      Duration staleAfter,
      Duration retention,
      int payloadBytes,
      List<String> brokerJvmOptions,
      Map<String, String> storeProperties,
      Duration drainTimeout) {
    /** Checks the settings. */
    public Settings {
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(window, "window");
      brokerJvmOptions = List.copyOf(brokerJvmOptions);
      storeProperties = Map.copyOf(storeProperties);
      if (rate < 1
          || retries < 0
          || connections < 1
          || batch < 1
          || batch > 1000
          || consumers < 1
          || claimBatch < 1
          || claimBatch > 1000) {
        throw new IllegalArgumentException(
            "rate, connections and consumers must be positive,"
                + " batch and claim batch 1..1000, retries not negative");
      }
      if (killAt != null && (killAt.isNegative() || killAt.compareTo(duration) >= 0)) {
        throw new IllegalArgumentException("the kill must fall within the run");
      }
    }

    /** The run: 20,000 keyed pushes/s for 5 minutes, SIGKILL at half time. */
    public static Settings defaults() {
      return new Settings(
          20_000,
          Duration.ofMinutes(5),
          Duration.ofSeconds(150),
          10_000,
          16,
          200,
          4,
          1000,
          Duration.ofSeconds(10),
          Duration.ofMillis(500),
          Duration.ofSeconds(3),
          Duration.ofMinutes(5),
          100,
          List.of(),
          Map.of(),
          Duration.ofMinutes(3));
    }
  }

  /** One reporting window. */
  public record Window(
      double seconds,
      double pushesPerSecond,
      double completesPerSecond,
      long retriesChecked,
      long duplicates,
      long pending,
      long brokerRss,
      String phase) {}

  /**
   * What the run found.
   *
   * @param acknowledged pushes acknowledged (each a distinct key)
   * @param pushErrors pushes that failed for the caller (their keys are not checked)
   * @param pushesPerSecond acknowledged pushes per second over the push period
   * @param retriesChecked retried keys answered with their original job id
   * @param retriesUnflagged of those, answered without {@code duplicate=true} (the client had
   *     retried the request itself, after an outcome it could not know)
   * @param duplicates retried keys answered with another job id, plus keys that got a second job
   * @param newKeysAnsweredDuplicate first pushes of a key answered as duplicates
   * @param doubleCompletes jobs whose complete was acknowledged twice
   * @param lost acknowledged jobs neither completed nor pending at the end
   * @param stillPending acknowledged jobs pending at the end (not lost)
   * @param extraJobs jobs the queue created beyond one per key (completed or still live)
   * @param retriesUnchecked retries that never got an answer
   * @param takeover from the SIGKILL to the standby serving, or null
   * @param firstAckAfterKill from the SIGKILL to the first push the standby acknowledged, or null
   * @param windows the windows reported
   */
  public record Outcome(
      long acknowledged,
      long pushErrors,
      double pushesPerSecond,
      long retriesChecked,
      long retriesUnflagged,
      long duplicates,
      long newKeysAnsweredDuplicate,
      long doubleCompletes,
      long lost,
      long stillPending,
      long extraJobs,
      long retriesUnchecked,
      Duration takeover,
      Duration firstAckAfterKill,
      List<Window> windows) {
    /** No duplicate, nothing lost, every check made. */
    public boolean passed() {
      return duplicates == 0
          && newKeysAnsweredDuplicate == 0
          && doubleCompletes == 0
          && lost == 0
          && extraJobs == 0
          && retriesUnchecked == 0;
    }
  }

  private final Settings s;
  private final List<String> launcher;
  private final Path dir;
  private final PrintWriter out;

  private DedupeLedger ledger;
  private long t0;
  private String uri;
  private volatile int nextKey; // keys [0, nextKey) were sent
  private AtomicIntegerArray keyAtTenth; // nextKey at each 100 ms since the start
  private volatile boolean pushing = true;
  private volatile boolean consuming = true;
  private volatile long killNanos; // 0: not killed (yet)
  private volatile int killMillis;
  private ScenarioBroker standby;
  private final AtomicLong firstAckAfterTakeover = new AtomicLong();
  private final AtomicLong pushErrors = new AtomicLong();
  private final AtomicLong newKeyDuplicates = new AtomicLong();
  private final AtomicLong retriesChecked = new AtomicLong();
  private final AtomicLong retriesUnflagged = new AtomicLong();
  private final AtomicLong retryMismatches = new AtomicLong();
  private final AtomicLong retryErrors = new AtomicLong();
  private final AtomicLong completeErrors = new AtomicLong();
  private final AtomicLong claimErrors = new AtomicLong();
  private final ConcurrentLinkedQueue<Integer> retryAgain = new ConcurrentLinkedQueue<>();
  private volatile String firstError;

  /**
   * A scenario to run.
   *
   * @param settings what to run
   * @param java the java launcher and class path of the broker processes, e.g. {@code [java, -cp,
   *     CP]}
   * @param dir where the queue object and the brokers' logs go
   * @param out where the report goes
   */
  public DedupeScenario(Settings settings, List<String> java, Path dir, PrintWriter out) {
    this.s = settings;
    this.launcher = List.copyOf(java);
    this.dir = dir;
    this.out = out;
  }

  /** The java launcher and class path of this JVM, for broker processes like it. */
  public static List<String> thisJava() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"));
  }

  /** Runs the scenario; prints a line per window and a summary. */
  public Outcome run() throws Exception {
    Files.createDirectories(dir);
    uri = dir.resolve(QUEUE + ".json").toUri().toString();
    long keys = (long) s.rate() * s.duration().toMillis() / 1000 * 11 / 10 + 10L * s.batch();
    ledger = new DedupeLedger((int) Math.min(Integer.MAX_VALUE - 16, keys));
    keyAtTenth = new AtomicIntegerArray((int) (s.duration().toMillis() / 100) + 2);
    List<String> args =
        List.of(
            "--heartbeat",
            s.heartbeat().toMillis() + "ms",
            "--stale-after",
            s.staleAfter().toMillis() + "ms");
    out.printf(
        "dedupe window end to end: %,d keyed pushes/s for %s (batches of %d, %d in"
            + " flight), %d consumers claiming %d at a time and completing each claim in one request, %,d retries of earlier keys; %s;"
            + " brokers: heartbeat %s, stale after %s, JVM options %s; queue %s%n",
        s.rate(),
        text(s.duration()),
        s.batch(),
        s.connections(),
        s.consumers(),
        s.claimBatch(),
        s.retries(),
        s.killAt() == null ? "no failover" : "SIGKILL of the active broker at " + text(s.killAt()),
        text(s.heartbeat()),
        text(s.staleAfter()),
        s.brokerJvmOptions().isEmpty() ? "(none)" : String.join(" ", s.brokerJvmOptions()),
        uri);
    out.flush();
    ScenarioBroker active =
        ScenarioBroker.start(
            launcher,
            s.brokerJvmOptions(),
            QUEUE,
            uri,
            s.storeProperties(),
            concat(args, "--broker-id", "dedupe-active"),
            dir.resolve("active-broker.log"));
    try {
      active.awaitServing(Duration.ofSeconds(60));
      if (s.killAt() != null) {
        standby =
            ScenarioBroker.start(
                launcher,
                s.brokerJvmOptions(),
                QUEUE,
                uri,
                s.storeProperties(),
                concat(args, "--standby", "--broker-id", "dedupe-standby"),
                dir.resolve("standby-broker.log"));
      }
      try (CasqClient pushClient = client(uri);
          CasqClient consumeClient = client(uri);
          CasqClient retryClient = client(uri)) {
        return drive(
            active,
            pushClient.queue(JsonNode.class),
            consumeClient.queue(JsonNode.class),
            retryClient.queue(JsonNode.class));
      }
    } finally {
      active.stop();
      if (standby != null) {
        standby.stop();
      }
    }
  }

  private CasqClient client(String storeUri) {
    return CasqClient.builder()
        .storeUri(storeUri)
        .storeProperties(s.storeProperties())
        .staleAfter(s.staleAfter())
        .takeover(TakeoverPolicy.WAIT)
        .requestTimeout(Duration.ofSeconds(30))
        .retry(RetryPolicy.defaults().withDeadline(Duration.ofMinutes(2)))
        .build();
  }

  private Outcome drive(
      ScenarioBroker active,
      ClientQueue<JsonNode> pq,
      ClientQueue<JsonNode> cq,
      ClientQueue<JsonNode> rq)
      throws Exception {
    t0 = System.nanoTime();
    Semaphore pushSlots = new Semaphore(s.connections());
    Thread pusher = thread("casq-bench-pusher", () -> push(pq, pushSlots));
    List<Thread> consumers = new ArrayList<>();
    for (int i = 0; i < s.consumers(); i++) {
      int c = i;
      consumers.add(thread("casq-bench-consumer-" + c, () -> consume(cq, "consumer-" + c)));
    }
    Semaphore retrySlots = new Semaphore(RETRIES_IN_FLIGHT);
    Thread retrier = thread("casq-bench-retrier", () -> retry(rq, retrySlots));
    out.printf(
        "%7s %-9s %10s %11s %9s %6s %10s %10s %6s%n",
        "time",
        "phase",
        "pushes/s",
        "completes/s",
        "retries",
        "dupl.",
        "pending",
        "broker RSS",
        "load");
    out.flush();
    List<Window> windows = new ArrayList<>();
    long lastAcked = 0;
    long lastCompletes = 0;
    long lastAt = t0;
    long pushEnd = t0 + s.duration().toNanos();
    long drainEnd = pushEnd + s.drainTimeout().toNanos();
    boolean killed = s.killAt() == null;
    boolean takeoverShown = false;
    CountDownLatch never = new CountDownLatch(1);
    for (int w = 1; ; w++) {
      long due = t0 + w * s.window().toNanos();
      if (!killed && due >= t0 + s.killAt().toNanos()) {
        never.await(t0 + s.killAt().toNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
        killMillis = millis();
        killNanos = System.nanoTime();
        active.kill();
        killed = true;
        out.printf(
            "%7s SIGKILL of the active broker (pid %d); %,d pushes acknowledged%n",
            text(Duration.ofMillis(killMillis)), active.pid(), ledger.acked());
        out.flush();
      }
      never.await(due - System.nanoTime(), TimeUnit.NANOSECONDS);
      long now = System.nanoTime();
      String phase =
          now <= pushEnd + 100_000_000L
              ? (killNanos == 0 ? "push" : standby.isServing() ? "push/sb" : "failover")
              : "drain";
      if (killNanos != 0 && !takeoverShown && standby.servingAtNanos() != 0) {
        takeoverShown = true;
        out.printf(
            "%7s the standby serves, %,d ms after the SIGKILL%n",
            text(Duration.ofMillis((standby.servingAtNanos() - t0) / 1_000_000)),
            (standby.servingAtNanos() - killNanos) / 1_000_000);
      }
      QueueStats stats = stats(cq);
      long acked = ledger.acked();
      long completes = ledger.completes();
      double secs = (now - lastAt) / 1e9;
      ScenarioBroker serving = killNanos == 0 ? active : standby;
      Window win =
          new Window(
              (now - t0) / 1e9,
              (acked - lastAcked) / secs,
              (completes - lastCompletes) / secs,
              retriesChecked.get(),
              duplicates(),
              stats == null ? -1 : stats.pending(),
              serving.residentBytes(),
              phase);
      windows.add(win);
      out.printf(
          "%7s %-9s %,10.0f %,11.0f %,9d %6d %10s %10s %6s%n",
          text(Duration.ofMillis((now - t0) / 1_000_000)),
          phase,
          win.pushesPerSecond(),
          win.completesPerSecond(),
          win.retriesChecked(),
          win.duplicates(),
          stats == null ? "-" : String.format("%,d", stats.pending()),
          win.brokerRss() < 0 ? "-" : SegmentSummary.size(win.brokerRss()),
          loadAverage());
      out.flush();
      lastAcked = acked;
      lastCompletes = completes;
      lastAt = now;
      if (now >= pushEnd
          && !pusher.isAlive()
          && !retrier.isAlive()
          && stats != null
          && stats.pending() == 0) {
        break;
      }
      if (now >= drainEnd) {
        out.printf("the queue did not empty within %s after the pushes%n", text(s.drainTimeout()));
        break;
      }
    }
    pushing = false;
    pusher.join(TimeUnit.MINUTES.toMillis(3));
    retrier.join(TimeUnit.MINUTES.toMillis(3));
    consuming = false;
    for (Thread c : consumers) {
      c.join(TimeUnit.MINUTES.toMillis(3));
    }
    // the serving broker resigns; what it committed is then read from the store
    (killNanos == 0 ? active : standby).stop();
    return settle(windows);
  }

  private Outcome settle(List<Window> windows) {
    // the serving broker resigned: the queue object and its segments are what it committed
    QueueState state;
    List<Job> live;
    try (StoreLocation loc = Stores.open(uri, s.storeProperties())) {
      state =
          StateCodec.decode(
              loc.store()
                  .read(loc.key())
                  .orElseThrow(() -> new CliException("the queue object " + uri + " is missing"))
                  .data());
      live = StateCodec.liveJobs(loc.store(), state);
    }
    long[] liveSeq = new long[ledger.capacity()]; // seq + 1 of the live job carrying key n
    long liveTwice = 0;
    for (Job j : live) {
      String k = j.idempotencyKey();
      int n = k == null || !k.startsWith("dedupe-") ? -1 : Integer.parseInt(k, 7, k.length(), 10);
      if (n < 0 || n >= liveSeq.length) {
        continue;
      }
      if (liveSeq[n] != 0) {
        liveTwice++;
        ledger.problem(
            "key "
                + k
                + ": two live jobs, "
                + DedupeLedger.jobId(liveSeq[n] - 1)
                + " and "
                + j.id());
      }
      liveSeq[n] = DedupeLedger.seqOf(j.id()) + 1;
    }
    long uncompleted = 0;
    long stillPending = 0;
    long lost = 0;
    long completedAndLive = 0;
    String firstLost = null;
    int sent = nextKey;
    for (int n = 0; n < sent; n++) {
      long acked = ledger.ackedSeq(n);
      if (ledger.completions(n) > 0) {
        if (liveSeq[n] != 0) { // a job for a key whose job was completed: a second job
          completedAndLive++;
          ledger.problem(
              "key "
                  + DedupeLedger.key(n)
                  + ": completed, and job "
                  + DedupeLedger.jobId(liveSeq[n] - 1)
                  + " still live");
        }
        continue;
      }
      if (acked < 0) {
        continue;
      }
      uncompleted++;
      if (liveSeq[n] == acked + 1) {
        stillPending++;
      } else {
        lost++;
        if (firstLost == null) {
          firstLost =
              DedupeLedger.key(n)
                  + " (job "
                  + DedupeLedger.jobId(acked)
                  + ")"
                  + (liveSeq[n] == 0
                      ? " neither completed nor in the queue"
                      : " in the queue as " + DedupeLedger.jobId(liveSeq[n] - 1));
        }
      }
    }
    long liveKeys = 0;
    for (long v : liveSeq) {
      liveKeys += v != 0 ? 1 : 0;
    }
    // every job the queue created is a key completed, a key live, or a complete whose answer was
    // lost; more jobs than that means some key got a second job
    long created = state.counters().pushed();
    long extraJobs =
        Math.max(0, created - ledger.completedKeys() - liveKeys - completeErrors.get() - liveTwice);
    double pushSecs = Math.min(s.duration().toNanos(), System.nanoTime() - t0) / 1e9;
    Duration takeover = null;
    Duration firstAck = null;
    if (killNanos != 0 && standby.servingAtNanos() != 0) {
      takeover = Duration.ofNanos(standby.servingAtNanos() - killNanos);
      long a = firstAckAfterTakeover.get();
      firstAck = a == 0 ? null : Duration.ofNanos(a - killNanos);
    }
    Outcome o =
        new Outcome(
            ledger.acked(),
            pushErrors.get(),
            ledger.acked() / pushSecs,
            retriesChecked.get(),
            retriesUnflagged.get(),
            duplicates(),
            newKeyDuplicates.get(),
            ledger.doubleCompletes(),
            lost,
            stillPending,
            extraJobs,
            Math.max(0, s.retries() - retriesChecked.get() - retryMismatches.get()),
            takeover,
            firstAck,
            windows);
    out.printf(
        "%nacknowledged pushes %,d (%,.0f/s over %s; target %,d/s%s), push errors %,d;"
            + " completed keys %,d (%,d completes, %,d complete errors, %,d claim errors)%n",
        o.acknowledged(),
        o.pushesPerSecond(),
        text(s.duration()),
        s.rate(),
        o.pushesPerSecond() < s.rate() * 0.98 ? ": NOT reached" : "",
        o.pushErrors(),
        ledger.completedKeys(),
        ledger.completes(),
        completeErrors.get(),
        claimErrors.get());
    out.printf(
        "retries checked %,d of %,d (%,d answered without duplicate=true after a client"
            + " retry), %,d retry errors; duplicates %d (retries with another job id %d, keys"
            + " with a second job %d); new keys answered as duplicates %d; jobs completed twice"
            + " %d%n",
        o.retriesChecked(),
        s.retries(),
        o.retriesUnflagged(),
        retryErrors.get(),
        o.duplicates(),
        retryMismatches.get(),
        ledger.secondJobs(),
        o.newKeysAnsweredDuplicate(),
        o.doubleCompletes());
    out.printf(
        "acknowledged and not completed: %,d (%,d still in the queue, %,d lost); queue at"
            + " the end (read from the store): %,d live jobs, %,d jobs created, %,d more than"
            + " the keys completed or live%n",
        uncompleted, stillPending, lost, live.size(), created, extraJobs);
    if (takeover != null) {
      out.printf(
          "failover: SIGKILL to standby serving %s, to its first acknowledged push %s"
              + " (stale after %s)%n",
          takeover.toMillis() + " ms",
          firstAck == null ? "-" : firstAck.toMillis() + " ms",
          text(s.staleAfter()));
    }
    if (firstLost != null) {
      out.printf("first lost: %s%n", firstLost);
    }
    if (ledger.firstProblem() != null) {
      out.printf("first duplicate: %s%n", ledger.firstProblem());
    }
    if (firstError != null) {
      out.printf("first error: %s%n", firstError);
    }
    out.printf(
        "%s%n",
        o.passed()
            ? "PASSED: 0 duplicates, 0 lost"
            : "FAILED: duplicates or lost pushes (see above)");
    out.flush();
    return o;
  }

  private long duplicates() {
    return retryMismatches.get() + ledger.secondJobs();
  }

  // ---------------------------------------------------------------- pushes

  /** Sends batches at the target rate (open load, at most {@code connections} in flight). */
  private void push(ClientQueue<JsonNode> q, Semaphore slots) {
    long skipped = 0;
    int capacity = ledger.capacity();
    long end = t0 + s.duration().toNanos();
    int tenths = 0;
    while (pushing) {
      long now = System.nanoTime();
      int tenth = (int) ((now - t0) / 100_000_000L);
      while (tenths <= tenth && tenths < keyAtTenth.length()) {
        keyAtTenth.set(tenths++, nextKey);
      }
      if (now >= end || nextKey >= capacity) {
        break;
      }
      long allowed = (long) (s.rate() * ((now - t0) / 1e9)) - nextKey - skipped;
      if (allowed > s.rate()) { // over a second behind: give up catching up, report the rate
        skipped += allowed - s.rate();
        allowed = s.rate();
      }
      if (allowed < s.batch()) {
        LockSupport.parkNanos(1_000_000);
        continue;
      }
      try {
        if (!slots.tryAcquire(5, TimeUnit.MILLISECONDS)) {
          continue;
        }
      } catch (InterruptedException e) {
        return;
      }
      int from = nextKey;
      int count = Math.min(s.batch(), capacity - from);
      nextKey = from + count;
      List<JsonPush> pushes = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        pushes.add(jsonPush(from + i));
      }
      q.pushAllJsonAsync(pushes)
          .whenComplete(
              (results, e) -> {
                try {
                  pushed(from, count, results, e);
                } finally {
                  slots.release();
                }
              });
    }
    try {
      if (!slots.tryAcquire(s.connections(), 3, TimeUnit.MINUTES)) {
        error("push batches still unanswered 3 minutes after the end");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pushed(int from, int count, List<PushResult> results, Throwable e) {
    int at = millis();
    List<PushResult> got = results;
    if (e != null) {
      Throwable c = cause(e);
      if (c instanceof BatchPushException b) {
        got = b.results();
        pushErrors.addAndGet(b.errors().size());
        error(CasqCommand.oneLine(c));
      } else {
        pushErrors.addAndGet(count);
        error(CasqCommand.oneLine(c));
        return;
      }
    }
    for (int i = 0; i < count; i++) {
      PushResult r = got.get(i);
      if (r == null) {
        continue;
      }
      if (r.duplicate()) {
        newKeyDuplicates.incrementAndGet();
      }
      ledger.acknowledged(from + i, DedupeLedger.seqOf(r.jobId()), at);
    }
    if (killNanos != 0 && standby != null && standby.servingAtNanos() != 0) {
      firstAckAfterTakeover.compareAndSet(0, System.nanoTime());
    }
  }

  private JsonPush jsonPush(int n) {
    StringBuilder p = new StringBuilder(s.payloadBytes() + 16).append("{\"k\":").append(n);
    if (s.payloadBytes() > p.length() + 8) {
      p.append(",\"p\":\"");
      while (p.length() < s.payloadBytes() - 2) {
        p.append('x');
      }
      p.append('"');
    }
    return new JsonPush(p.append('}').toString(), PushOptions.none().key(DedupeLedger.key(n)));
  }

  // ---------------------------------------------------------------- consumers

  /**
   * Claims up to {@code claimBatch} jobs at a time and completes each claim's jobs with one batch
   * completion ({@code POST .../jobs/complete}), at most {@value #COMPLETES_IN_FLIGHT} batches in
   * flight per consumer.
   */
  private void consume(ClientQueue<JsonNode> q, String worker) {
    Semaphore inFlight = new Semaphore(COMPLETES_IN_FLIGHT);
    while (consuming) {
      List<LeasedJob<JsonNode>> jobs;
      try {
        jobs =
            q.claim(
                new ClaimRequest(worker, Duration.ofMinutes(1), s.claimBatch(), null),
                Duration.ofSeconds(1));
      } catch (RuntimeException e) {
        claimErrors.incrementAndGet();
        error(CasqCommand.oneLine(e));
        continue;
      }
      if (jobs.isEmpty()) {
        continue;
      }
      int[] keys = new int[jobs.size()];
      long[] seqs = new long[jobs.size()];
      for (int i = 0; i < jobs.size(); i++) {
        keys[i] = keyOf(jobs.get(i).payloadJson());
        seqs[i] = DedupeLedger.seqOf(jobs.get(i).id());
      }
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        return;
      }
      q.completeAllAsync(jobs)
          .whenComplete(
              (v, e) -> {
                Throwable c = e == null ? null : cause(e);
                for (int i = 0; i < keys.length; i++) {
                  if (c == null || (c instanceof BatchCompleteException b && b.completed(i))) {
                    ledger.completed(keys[i], seqs[i]);
                  } else {
                    completeErrors.incrementAndGet();
                  }
                }
                if (c instanceof BatchCompleteException b) {
                  b.errors().values().forEach(x -> error(CasqCommand.oneLine(x)));
                } else if (c != null) {
                  error(CasqCommand.oneLine(c));
                }
                inFlight.release();
              });
    }
    inFlight.acquireUninterruptibly(COMPLETES_IN_FLIGHT);
  }

  private static int keyOf(String payloadJson) {
    int at = payloadJson.indexOf("\"k\":") + 4;
    int end = at;
    while (end < payloadJson.length() && Character.isDigit(payloadJson.charAt(end))) {
      end++;
    }
    return Integer.parseInt(payloadJson, at, end, 10);
  }

  // ---------------------------------------------------------------- retries

  /**
   * Pushes earlier keys again: half of {@code retries} spread over the push period, the other half
   * as soon as the standby serves after the kill (half of those from the 2 s before it).
   */
  private void retry(ClientQueue<JsonNode> q, Semaphore slots) {
    int burst = s.killAt() == null ? 0 : s.retries() / 2;
    int spread = s.retries() - burst;
    int spreadSent = 0;
    boolean burstSent = burst == 0;
    long giveUp = t0 + s.duration().toNanos() + s.drainTimeout().toNanos();
    try {
      while (System.nanoTime() < giveUp) {
        if (!burstSent && killNanos != 0 && standby.isServing()) {
          List<Integer> keys = new ArrayList<>();
          int recentFrom = keyAtTenth.get(Math.max(0, (killMillis - 2000) / 100));
          int recentTo = keyAtTenth.get(Math.min(keyAtTenth.length() - 1, killMillis / 100));
          for (int i = 0; i < burst; i++) {
            int n = i % 2 == 0 ? recent(recentFrom, recentTo) : anyRemembered();
            if (n >= 0) {
              keys.add(n);
            }
          }
          for (int i = 0; i < keys.size(); i += RETRY_BATCH) {
            send(q, slots, keys.subList(i, Math.min(keys.size(), i + RETRY_BATCH)));
          }
          burstSent = true;
          continue;
        }
        double progress = Math.min(1, (System.nanoTime() - t0) / (double) s.duration().toNanos());
        int due = (int) (spread * progress) - spreadSent;
        if (due >= RETRY_BATCH / 2 || (progress >= 1 && due > 0)) {
          List<Integer> keys = new ArrayList<>();
          for (int i = 0; i < Math.min(due, RETRY_BATCH); i++) {
            int n = anyRemembered();
            if (n >= 0) {
              keys.add(n);
            }
          }
          if (!keys.isEmpty()) {
            spreadSent += keys.size();
            send(q, slots, keys);
          }
        }
        List<Integer> again = new ArrayList<>();
        for (Integer n = retryAgain.poll();
            n != null && again.size() < RETRY_BATCH;
            n = retryAgain.poll()) {
          again.add(n);
        }
        if (!again.isEmpty()) {
          send(q, slots, again);
        }
        boolean done =
            spreadSent >= spread
                && burstSent
                && slots.availablePermits() == RETRIES_IN_FLIGHT
                && retryAgain.isEmpty();
        if (done) {
          break;
        }
        LockSupport.parkNanos(5_000_000);
      }
      slots.acquire(RETRIES_IN_FLIGHT);
      slots.release(RETRIES_IN_FLIGHT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A random acknowledged key among {@code [from, to)} acknowledged before the kill, or -1. */
  private int recent(int from, int to) {
    for (int tries = 0; tries < 1000 && to > from; tries++) {
      int n = ThreadLocalRandom.current().nextInt(from, to);
      if (ledger.ackedSeq(n) >= 0 && ledger.ackedAtMillis(n) <= killMillis) {
        return n;
      }
    }
    return anyRemembered();
  }

  /** A random acknowledged key the queue certainly still remembers, or -1. */
  private int anyRemembered() {
    int sent = nextKey;
    long margin = Math.min(30_000, s.retention().toMillis() / 10);
    long oldest = millis() - (s.retention().toMillis() - margin);
    for (int tries = 0; tries < 1000 && sent > 0; tries++) {
      int n = ThreadLocalRandom.current().nextInt(sent);
      if (ledger.ackedSeq(n) >= 0 && ledger.ackedAtMillis(n) >= oldest) {
        return n;
      }
    }
    return -1;
  }

  private void send(ClientQueue<JsonNode> q, Semaphore slots, List<Integer> keys)
      throws InterruptedException {
    List<Integer> ns = List.copyOf(keys);
    List<JsonPush> pushes = new ArrayList<>(ns.size());
    for (int n : ns) {
      pushes.add(jsonPush(n));
    }
    slots.acquire();
    q.pushAllJsonAsync(pushes)
        .whenComplete(
            (results, e) -> {
              try {
                List<PushResult> got = results;
                if (e != null) {
                  retryErrors.incrementAndGet();
                  error(CasqCommand.oneLine(cause(e)));
                  if (!(cause(e) instanceof BatchPushException b)) {
                    retryAgain.addAll(ns);
                    return;
                  }
                  got = b.results();
                }
                for (int i = 0; i < ns.size(); i++) {
                  if (got.get(i) == null) {
                    retryAgain.add(ns.get(i));
                  } else {
                    check(ns.get(i), got.get(i));
                  }
                }
              } finally {
                slots.release();
              }
            });
  }

  private void check(int n, PushResult r) {
    long seq = DedupeLedger.seqOf(r.jobId());
    long original = ledger.ackedSeq(n);
    if (seq != original) {
      retryMismatches.incrementAndGet();
      error(
          "retry of "
              + DedupeLedger.key(n)
              + " answered "
              + r.jobId()
              + ", pushed as "
              + DedupeLedger.jobId(original));
      return;
    }
    retriesChecked.incrementAndGet();
    if (!r.duplicate()) {
      retriesUnflagged.incrementAndGet();
    }
  }

  // ---------------------------------------------------------------- helpers

  private QueueStats stats(ClientQueue<JsonNode> q) {
    try {
      return q.statsAsync().get(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  private int millis() {
    return (int) ((System.nanoTime() - t0) / 1_000_000);
  }

  private void error(String what) {
    if (firstError == null) {
      firstError = what;
    }
  }

  private static Throwable cause(Throwable e) {
    Throwable c = e;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static Thread thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "-";
    }
  }

  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0 && ms >= 60_000) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }
}
