package dev.casq.storage.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StoreCapabilities;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage contract, once for every store. A store's test extends this class and implements
 * {@link #openStore()}; it may override the capability hooks where the backend legitimately
 * differs.
 *
 * <p>{@link #openStore()} is called before each test and the store is closed after it. Every test
 * uses keys made by {@link #key(String)}: a random per-test prefix plus a name, so one bucket or
 * directory can serve every test and every run. After each test the kit deletes the keys under its
 * prefix (best effort, when {@link #supportsList()}).
 *
 * <p>Tests always write distinct content when they expect distinct versions, since a version token
 * may be derived from the content (an S3 ETag is).
 *
 * <p>{@link OutcomeUnknownException} is a legitimate answer of a real store to a racing writer,
 * winner or loser: the concurrent tests resolve it by re-reading (see {@link CasCounter} and {@link
 * RacingRounds}) and never count it as a win or a loss without reading. The sequential tests expect
 * a store that does not fail at random.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class ObjectStoreContractTest {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectStoreContractTest.class);
  private static final int MIB = 1024 * 1024;

  private ObjectStore store;
  private String prefix;

  /** Opens the store under test; called before each test. The kit closes it after the test. */
  protected abstract ObjectStore openStore() throws Exception;

  /** The size of the large object round-tripped by {@link #largeObjectRoundTripsExactly()}. */
  protected int largeObjectBytes() {
    return 16 * MIB;
  }

  /** Threads in the concurrent tests. */
  protected int raceThreads() {
    return 8;
  }

  /** Increments per thread in {@link #casLoopCounterEndsExact()}. */
  protected int raceIncrements() {
    return 50;
  }

  /** Rounds in {@link #racingWritersFromOneVersionHaveOneWinnerPerRound()}. */
  protected int racingRounds() {
    return 20;
  }

  /** Whether the store lists keys by prefix (every store should). */
  protected boolean supportsList() {
    return true;
  }

  /** The store opened for the running test. */
  protected final ObjectStore store() {
    return store;
  }

  /** A key unique to the running test: the test's prefix plus {@code name}. */
  protected final String key(String name) {
    return prefix + name;
  }

  /** The prefix of every key of the running test (ends with '/'). */
  protected final String keyPrefix() {
    return prefix;
  }

  @BeforeEach
  final void openStoreForTest(TestInfo info) throws Exception {
    String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
    byte[] random = new byte[6];
    ThreadLocalRandom.current().nextBytes(random);
    prefix = "tck-" + method + "-" + HexFormat.of().formatHex(random) + "/";
    store = openStore();
    assertThat(store).as("openStore()").isNotNull();
  }

  @AfterEach
  final void closeStoreAfterTest() {
    if (store == null) {
      return;
    }
    try {
      if (supportsList()) {
        for (String k : store.list(prefix)) {
          store.delete(k);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "could not clean up keys under {} in {}: {}", prefix, store.describe(), e.toString());
    } finally {
      store.close();
      store = null;
    }
  }

  // ---------------------------------------------------------------- reads and creates

  @Test
  @DisplayName("read of a missing object is empty")
  void readOfMissingObjectIsEmpty() {
    assertThat(store.read(key("missing.json"))).isEmpty();
    assertThat(store.read(key("missing/deeper/object.json"))).isEmpty();
  }

  @Test
  @DisplayName("create then read returns the bytes at the version create returned")
  void createThenReadReturnsBytesAndVersion() {
    String k = key("queue.json");
    Version v = store.create(k, utf8("{\"revision\":1}"));
    VersionedBytes read = store.read(k).orElseThrow();
    assertThat(read.data()).isEqualTo(utf8("{\"revision\":1}"));
    assertThat(read.version()).isEqualTo(v);
    assertThat(store.read(k).orElseThrow().version())
        .as("version is stable across reads")
        .isEqualTo(v);
  }

  @Test
  @DisplayName("create twice: the second fails and the content is unchanged")
  void createTwiceFailsAndLeavesContent() {
    String k = key("queue.json");
    Version v = store.create(k, utf8("first"));
    assertThatThrownBy(() -> store.create(k, utf8("second")))
        .isInstanceOf(PreconditionFailedException.class);
    VersionedBytes read = store.read(k).orElseThrow();
    assertThat(read.data()).isEqualTo(utf8("first"));
    assertThat(read.version()).isEqualTo(v);
  }

  // ---------------------------------------------------------------- replace

  @Test
  @DisplayName("fresh replace succeeds and returns a new version")
  void freshReplaceSucceeds() {
    String k = key("queue.json");
    Version v1 = store.create(k, utf8("one"));
    Version v2 = store.replace(k, utf8("two"), v1);
    assertThat(v2).isNotEqualTo(v1);
    VersionedBytes read = store.read(k).orElseThrow();
    assertThat(read.data()).isEqualTo(utf8("two"));
    assertThat(read.version()).isEqualTo(v2);
    Version v3 = store.replace(k, utf8("three"), v2);
    assertThat(v3).isNotEqualTo(v2).isNotEqualTo(v1);
    assertThat(store.read(k).orElseThrow().data()).isEqualTo(utf8("three"));
  }

  @Test
  @DisplayName("stale replace fails and the content is unchanged")
  void staleReplaceFails() {
    String k = key("queue.json");
    Version v1 = store.create(k, utf8("one"));
    Version v2 = store.replace(k, utf8("two"), v1);
    assertThatThrownBy(() -> store.replace(k, utf8("stale"), v1))
        .isInstanceOf(PreconditionFailedException.class);
    VersionedBytes read = store.read(k).orElseThrow();
    assertThat(read.data()).isEqualTo(utf8("two"));
    assertThat(read.version()).isEqualTo(v2);
  }

  @Test
  @DisplayName("a version older than the previous one stays stale")
  void olderVersionsStayStale() {
    String k = key("queue.json");
    Version v1 = store.create(k, utf8("a"));
    Version v2 = store.replace(k, utf8("b"), v1);
    Version v3 = store.replace(k, utf8("c"), v2);
    for (Version stale : List.of(v1, v2)) {
      assertThatThrownBy(() -> store.replace(k, utf8("stale"), stale))
          .isInstanceOf(PreconditionFailedException.class);
    }
    assertThat(store.read(k).orElseThrow()).isEqualTo(new VersionedBytes(utf8("c"), v3));
  }

  @Test
  @DisplayName("replace of a missing object fails and creates nothing")
  void replaceOfMissingObjectFails() {
    String k = key("queue.json");
    Version elsewhere = store.create(key("other.json"), utf8("other"));
    assertThatThrownBy(() -> store.replace(k, utf8("x"), elsewhere))
        .isInstanceOf(PreconditionFailedException.class);
    assertThat(store.read(k)).isEmpty();
  }

  @Test
  @DisplayName("after delete and re-create, the old version is stale")
  void versionBeforeDeleteIsStaleAfterRecreate() {
    String k = key("queue.json");
    Version before = store.create(k, utf8("before"));
    store.delete(k);
    assertThat(store.read(k)).isEmpty();
    assertThatThrownBy(() -> store.replace(k, utf8("x"), before))
        .as("replace of a deleted object")
        .isInstanceOf(PreconditionFailedException.class);
    Version after = store.create(k, utf8("after"));
    assertThatThrownBy(() -> store.replace(k, utf8("stale"), before))
        .isInstanceOf(PreconditionFailedException.class);
    assertThat(store.read(k).orElseThrow()).isEqualTo(new VersionedBytes(utf8("after"), after));
  }

  // ---------------------------------------------------------------- put, list, delete

  @Test
  @DisplayName(
      "put writes unconditionally, returns the version a read shows, and stales older versions")
  void putOverwritesAndStalesOlderVersions() {
    String k = key("archive/x.json");
    Version p1 = store.put(k, utf8("p1"));
    assertThat(store.read(k).orElseThrow()).isEqualTo(new VersionedBytes(utf8("p1"), p1));
    Version p2 = store.put(k, utf8("p2"));
    assertThat(store.read(k).orElseThrow()).isEqualTo(new VersionedBytes(utf8("p2"), p2));
    assertThatThrownBy(() -> store.replace(k, utf8("stale"), p1))
        .isInstanceOf(PreconditionFailedException.class);
    Version r = store.replace(k, utf8("r"), p2);
    assertThat(store.read(k).orElseThrow()).isEqualTo(new VersionedBytes(utf8("r"), r));
    assertThatThrownBy(() -> store.create(k, utf8("again")))
        .isInstanceOf(PreconditionFailedException.class);
  }

  @Test
  @DisplayName("list by prefix is sorted and prefix-exact")
  void listByPrefixIsSortedAndExact() {
    assumeTrue(supportsList(), "store does not list");
    store.put(key("list/b.json"), utf8("b"));
    store.create(key("list/a/2"), utf8("a2"));
    store.put(key("list/ab"), utf8("ab"));
    store.put(key("list/a/1"), utf8("a1"));
    store.put(key("listx/c"), utf8("c"));

    assertThat(store.list(key("list/")))
        .containsExactly(key("list/a/1"), key("list/a/2"), key("list/ab"), key("list/b.json"));
    assertThat(store.list(key("list/a")))
        .containsExactly(key("list/a/1"), key("list/a/2"), key("list/ab"));
    assertThat(store.list(key("list/a/"))).containsExactly(key("list/a/1"), key("list/a/2"));
    assertThat(store.list(key("list/a/1"))).containsExactly(key("list/a/1"));
    assertThat(store.list(key("lis")))
        .containsExactly(
            key("list/a/1"), key("list/a/2"), key("list/ab"), key("list/b.json"), key("listx/c"));
    assertThat(store.list(key("list/zzz"))).isEmpty();
    assertThat(store.list(key("nothing-here/"))).isEmpty();
    assertThat(store.list(keyPrefix()))
        .as("everything of this test, and nothing else")
        .hasSize(5)
        .allMatch(k -> k.startsWith(keyPrefix()));
  }

  @Test
  @DisplayName("delete removes the object; deleting a missing object is fine")
  void deleteRemovesAndIsIdempotent() {
    String k = key("archive/2026/11/25/17/x.json");
    store.put(k, utf8("x"));
    store.create(key("archive/2026/11/25/17/y.json"), utf8("y"));
    store.delete(k);
    assertThat(store.read(k)).isEmpty();
    store.delete(k);
    store.delete(key("never-existed.json"));
    if (supportsList()) {
      assertThat(store.list(key("archive/"))).containsExactly(key("archive/2026/11/25/17/y.json"));
    }
    Version again = store.create(k, utf8("x again"));
    assertThat(store.read(k).orElseThrow()).isEqualTo(new VersionedBytes(utf8("x again"), again));
  }

  // ---------------------------------------------------------------- content and keys

  @Test
  @DisplayName("an object of 0 bytes round-trips")
  void emptyObjectRoundTrips() {
    String k = key("empty");
    Version v1 = store.create(k, new byte[0]);
    assertThat(store.read(k).orElseThrow()).isEqualTo(new VersionedBytes(new byte[0], v1));
    Version v2 = store.replace(k, utf8("not empty"), v1);
    Version v3 = store.replace(k, new byte[0], v2);
    assertThat(store.read(k).orElseThrow()).isEqualTo(new VersionedBytes(new byte[0], v3));
    store.put(key("empty-put"), new byte[0]);
    assertThat(store.read(key("empty-put")).orElseThrow().data()).isEmpty();
  }

  @Test
  @DisplayName("a large object round-trips exactly")
  void largeObjectRoundTripsExactly() {
    int size = largeObjectBytes();
    assertThat(store.capabilities().maxObjectBytes()).isGreaterThanOrEqualTo(size);
    String k = key("large.bin");
    byte[] first = randomBytes(size, 1);
    Version v1 = store.create(k, first);
    assertSameBytes(store.read(k).orElseThrow().data(), first);
    byte[] second = randomBytes(size, 2);
    Version v2 = store.replace(k, second, v1);
    VersionedBytes read = store.read(k).orElseThrow();
    assertThat(read.version()).isEqualTo(v2);
    assertSameBytes(read.data(), second);
  }

  @Test
  @DisplayName("keys with slashes, spaces, punctuation and unicode work")
  void keysWithSlashesAndUnicode() {
    List<String> names =
        List.of(
            "a/b/c/d/e/deep.json",
            "ключ/データ 🙂.json",
            "with space/plus+and%percent=equals.json",
            "ünïcödé-ß.json",
            "emails.json.archive/2026/11/25/17/0001.json");
    int i = 0;
    for (String name : names) {
      String k = key(name);
      Version v = store.create(k, utf8("content " + i));
      assertThat(store.read(k).orElseThrow())
          .isEqualTo(new VersionedBytes(utf8("content " + i), v));
      Version v2 = store.replace(k, utf8("content " + i + "'"), v);
      assertThat(store.read(k).orElseThrow().version()).isEqualTo(v2);
      i++;
    }
    if (supportsList()) {
      List<String> expected = new ArrayList<>();
      names.forEach(n -> expected.add(key(n)));
      expected.sort(null);
      assertThat(store.list(keyPrefix())).containsExactlyElementsOf(expected);
    }
  }

  @Test
  @DisplayName("invalid keys are rejected and nothing is written")
  void invalidKeysAreRejected() {
    for (String bad :
        List.of(
            key("a/../../escape.json"), key("a//b"), key("./x"), key("trailing/"), "/abs/x", "")) {
      assertThatThrownBy(() -> store.create(bad, utf8("x")))
          .as("create '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.put(bad, utf8("x")))
          .as("put '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> store.read(bad))
          .as("read '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    if (supportsList()) {
      assertThat(store.list(keyPrefix())).isEmpty();
    }
  }

  @Test
  @DisplayName("byte arrays are copied in and out")
  void bytesAreCopied() {
    String k = key("queue.json");
    byte[] in = utf8("original");
    Version v = store.create(k, in);
    in[0] = 'X';
    byte[] out = store.read(k).orElseThrow().data();
    assertThat(out).isEqualTo(utf8("original"));
    out[0] = 'Y';
    assertThat(store.read(k).orElseThrow().data()).isEqualTo(utf8("original"));
    byte[] next = utf8("next");
    store.replace(k, next, v);
    next[0] = 'Z';
    assertThat(store.read(k).orElseThrow().data()).isEqualTo(utf8("next"));
    byte[] put = utf8("put");
    store.put(key("p"), put);
    put[0] = 'Q';
    assertThat(store.read(key("p")).orElseThrow().data()).isEqualTo(utf8("put"));
  }

  @Test
  @DisplayName("capabilities and description are given")
  void capabilitiesAndDescription() {
    StoreCapabilities c = store.capabilities();
    assertThat(c).isNotNull();
    assertThat(c.maxObjectBytes()).isPositive();
    assertThat(store.describe()).isNotBlank();
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  @DisplayName("N threads x M increments in a CAS loop end at exactly N*M")
  void casLoopCounterEndsExact() throws Exception {
    int threads = raceThreads();
    int increments = raceIncrements();
    CasCounter counter = new CasCounter(store, key("counter"));
    counter.initialize();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<CasCounter.Stats>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String writer = "w" + t;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return counter.increment(writer, increments);
                }));
      }
      go.countDown();
      long lost = 0;
      long unknown = 0;
      for (Future<CasCounter.Stats> f : results) {
        CasCounter.Stats s = f.get(4, TimeUnit.MINUTES);
        lost += s.preconditionFailures();
        unknown += s.unknownOutcomes();
      }
      CasCounter.State end = counter.read();
      assertThat(end.total()).isEqualTo((long) threads * increments);
      for (int t = 0; t < threads; t++) {
        assertThat(end.count("w" + t)).isEqualTo(increments);
      }
      LOG.info(
          "{}: {}x{} increments, {} lost races, {} unknown outcomes",
          store.describe(),
          threads,
          increments,
          lost,
          unknown);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("racing writers from one version: exactly one winner per round")
  void racingWritersFromOneVersionHaveOneWinnerPerRound() throws Exception {
    RacingRounds.Summary s =
        RacingRounds.run(store, key("race.json"), raceThreads(), racingRounds());
    LOG.info("{}: {}", store.describe(), s);
    assertThat(s.rounds()).isEqualTo(racingRounds());
    assertThat(s.won() + s.lost() + s.unknown()).isEqualTo(racingRounds() * raceThreads());
    assertThat(s.won() + s.unknownWinners()).isEqualTo(s.decided());
  }

  @Test
  @DisplayName("racing creates of one key: exactly one wins")
  void racingCreatesHaveOneWinner() throws Exception {
    int threads = raceThreads();
    String k = key("created-once.json");
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<RacingRounds.Outcome>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        byte[] content = utf8("creator " + t);
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  try {
                    store.create(k, content);
                    return RacingRounds.Outcome.WON;
                  } catch (PreconditionFailedException e) {
                    return RacingRounds.Outcome.LOST;
                  } catch (OutcomeUnknownException e) {
                    return RacingRounds.Outcome.UNKNOWN;
                  }
                }));
      }
      go.countDown();
      List<RacingRounds.Outcome> outcomes = new ArrayList<>();
      for (Future<RacingRounds.Outcome> f : results) {
        outcomes.add(f.get(2, TimeUnit.MINUTES));
      }
      var held = store.read(k);
      if (held.isEmpty()) {
        assertThat(outcomes)
            .as("nobody created it, so all outcomes were unknown")
            .containsOnly(RacingRounds.Outcome.UNKNOWN);
        return;
      }
      int holder = -1;
      for (int t = 0; t < threads; t++) {
        if (Arrays.equals(held.get().data(), utf8("creator " + t))) {
          holder = t;
        }
      }
      assertThat(holder).as("the object holds one creator's content").isNotNegative();
      assertThat(outcomes.get(holder)).isNotEqualTo(RacingRounds.Outcome.LOST);
      assertThat(outcomes.stream().filter(o -> o == RacingRounds.Outcome.WON).count())
          .isLessThanOrEqualTo(1);
      if (outcomes.contains(RacingRounds.Outcome.WON)) {
        assertThat(outcomes.get(holder)).isEqualTo(RacingRounds.Outcome.WON);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- helpers

  protected static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static byte[] randomBytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void assertSameBytes(byte[] actual, byte[] expected) {
    int mismatch = Arrays.mismatch(actual, expected);
    if (mismatch >= 0) {
      throw new AssertionError(
          "bytes differ: read "
              + actual.length
              + " bytes, expected "
              + expected.length
              + ", first difference at index "
              + mismatch);
    }
  }
}
