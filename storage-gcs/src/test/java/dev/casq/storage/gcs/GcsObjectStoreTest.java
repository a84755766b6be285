package dev.casq.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.storage.BackPressureException;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import dev.casq.storage.gcs.testserver.GcsTestServer;
import dev.casq.storage.gcs.testserver.RecordedRequest;
import dev.casq.storage.gcs.testserver.WriteFault;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** What the gs:// store adds to the contract: error mapping on the wire, open-time checks. */
class GcsObjectStoreTest {
  private static final String BUCKET = "casq-store-test";
  private static GcsTestServer server;

  private ObjectStore store;
  private String key;

  @BeforeAll
  static void startServer() {
    server = GcsTestServer.start();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void open(TestInfo info) {
    store = open(Map.of()).store();
    key = "store-test/" + info.getTestMethod().orElseThrow().getName() + ".json";
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static StoreLocation open(Map<String, String> extra) {
    Map<String, String> props =
        new HashMap<>(
            Map.of(GcsStoreConfig.HOST, server.baseUrl(), GcsStoreConfig.NO_AUTH, "true"));
    props.putAll(extra);
    return Stores.open("gs://" + BUCKET + "/queues/emails.json", props);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theProviderOpensTheBucketAndTheKey() {
    try (StoreLocation location = open(Map.of())) {
      assertThat(location.store()).isInstanceOf(GcsObjectStore.class);
      assertThat(location.key()).isEqualTo("queues/emails.json");
      assertThat(location.store().describe())
          .isEqualTo("gs://" + BUCKET + " at " + server.baseUrl());
    }
  }

  @Test
  void storageEmulatorHostAloneIsEnoughToTalkToAnEmulator() {
    Map<String, String> env = Map.of("STORAGE_EMULATOR_HOST", "127.0.0.1:" + server.port());
    GcsStoreConfig config = GcsStoreConfig.from(Map.of(), env::get);
    try (GcsObjectStore emulated = GcsObjectStore.open(BUCKET, config)) {
      Version v = emulated.create(key, utf8("via STORAGE_EMULATOR_HOST"));
      assertThat(emulated.read(key).orElseThrow())
          .isEqualTo(new VersionedBytes(utf8("via STORAGE_EMULATOR_HOST"), v));
      assertThat(emulated.describe()).contains(server.baseUrl());
    }
  }

  @Test
  void minWriteIntervalIsOneSecondByDefaultAndConfigurable() {
    assertThat(store.capabilities().minWriteInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(store.capabilities().durable()).isTrue();
    try (StoreLocation fast = open(Map.of(GcsStoreConfig.MIN_WRITE_INTERVAL, "0s"))) {
      assertThat(fast.store().capabilities().minWriteInterval()).isZero();
    }
    try (StoreLocation slow = open(Map.of(GcsStoreConfig.MIN_WRITE_INTERVAL, "2500ms"))) {
      assertThat(slow.store().capabilities().minWriteInterval()).isEqualTo(Duration.ofMillis(2500));
    }
  }

  @Test
  void aMissingBucketIsAClearErrorAtOpen() {
    assertThatThrownBy(
            () ->
                Stores.open(
                    "gs://no-such-bucket/q.json",
                    Map.of(GcsStoreConfig.HOST, server.baseUrl(), GcsStoreConfig.NO_AUTH, "true")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("gs://no-such-bucket")
        .hasMessageContaining("does not exist");
  }

  @Test
  void anUnreachableHostIsAClearErrorAtOpen() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                Stores.open(
                    "gs://" + BUCKET + "/q.json",
                    Map.of(
                        GcsStoreConfig.HOST,
                        "http://127.0.0.1:" + port,
                        GcsStoreConfig.NO_AUTH,
                        "true",
                        GcsStoreConfig.CONNECT_TIMEOUT,
                        "1s")))
        .isInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("cannot reach GCS at http://127.0.0.1:" + port)
        .hasMessageContaining("gcs.host");
  }

  @Test
  void rateLimitIsBackPressureAndNothingIsWritten() {
    Version v1 = store.create(key, utf8("v1"));
    server.clearRequests();
    server.injectWriteFaults(WriteFault.RATE_LIMITED, 1);
    assertThatThrownBy(() -> store.replace(key, utf8("v2"), v1))
        .isInstanceOf(BackPressureException.class)
        .satisfies(
            e ->
                assertThat(((BackPressureException) e).retryAfter())
                    .isEqualTo(Duration.ofSeconds(1)));
    assertThat(server.requests().stream().filter(RecordedRequest::isObjectUpload).count())
        .as("sent once, not retried by the client")
        .isEqualTo(1);
    assertThat(store.read(key).orElseThrow()).isEqualTo(new VersionedBytes(utf8("v1"), v1));
    // Back-pressure said nothing was written, so the same version still wins.
    Version v2 = store.replace(key, utf8("v2"), v1);
    assertThat(store.read(key).orElseThrow()).isEqualTo(new VersionedBytes(utf8("v2"), v2));
  }

  @Test
  void aWriteThatLandedBeforeA503IsAnUnknownOutcome() {
    Version v1 = store.create(key, utf8("v1"));
    server.clearRequests();
    server.injectWriteFaults(WriteFault.UNAVAILABLE_AFTER_APPLY, 1);
    assertThatThrownBy(() -> store.replace(key, utf8("v2"), v1))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("503");
    assertThat(server.requests().stream().filter(RecordedRequest::isObjectUpload).count())
        .as("sent once: a client retry would turn the landed write into a 412")
        .isEqualTo(1);
    VersionedBytes now = store.read(key).orElseThrow();
    assertThat(now.data()).as("the write landed").isEqualTo(utf8("v2"));
    assertThat(now.version()).isNotEqualTo(v1);
    assertThatThrownBy(() -> store.replace(key, utf8("v3"), v1))
        .isInstanceOf(PreconditionFailedException.class);
  }

  @Test
  void aCreateThatLandedBeforeTheConnectionDroppedIsAnUnknownOutcome() {
    server.injectWriteFaults(WriteFault.DROP_AFTER_APPLY, 1);
    assertThatThrownBy(() -> store.create(key, utf8("mine")))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(store.read(key).orElseThrow().data()).isEqualTo(utf8("mine"));
  }

  @Test
  void aTimeoutAfterSendingIsAnUnknownOutcome() {
    try (StoreLocation impatient = open(Map.of(GcsStoreConfig.READ_TIMEOUT, "300ms"))) {
      ObjectStore s = impatient.store();
      Version v1 = s.create(key, utf8("v1"));
      server.injectWriteFaults(WriteFault.HOLD_AFTER_APPLY, 1);
      try {
        assertThatThrownBy(() -> s.replace(key, utf8("v2"), v1))
            .isInstanceOf(OutcomeUnknownException.class);
      } finally {
        server.releaseHeldAnswers();
      }
      assertThat(s.read(key).orElseThrow().data()).isEqualTo(utf8("v2"));
    }
  }

  @Test
  void putAfterA503IsAnUnknownOutcomeToo() {
    server.injectWriteFaults(WriteFault.UNAVAILABLE_AFTER_APPLY, 1);
    assertThatThrownBy(() -> store.put(key, utf8("archived")))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(store.read(key).orElseThrow().data()).isEqualTo(utf8("archived"));
  }

  @Test
  void aForeignVersionTokenIsRejectedBeforeAnythingIsSent() {
    store.create(key, utf8("v1"));
    server.clearRequests();
    assertThatThrownBy(() -> store.replace(key, utf8("x"), new Version("\"etag-like\"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a gs:// version token");
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void readsReturnBytesAndGenerationThatBelongTogetherWhileWritersReplace() throws Exception {
    Version first = store.create(key, utf8("0"));
    Map<String, String> contentByVersion = new ConcurrentHashMap<>();
    contentByVersion.put(first.token(), "0");
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      CountDownLatch writerStarted = new CountDownLatch(1);
      Future<Integer> writer =
          pool.submit(
              () -> {
                Version v = first;
                int n = 0;
                writerStarted.countDown();
                while (!stop.get()) {
                  String content = Integer.toString(++n);
                  v = store.replace(key, utf8(content), v);
                  contentByVersion.put(v.token(), content);
                }
                return n;
              });
      writerStarted.await();
      List<Future<List<VersionedBytes>>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(
            pool.submit(
                () -> {
                  List<VersionedBytes> seen = new ArrayList<>();
                  for (int i = 0; i < 60; i++) {
                    seen.add(store.read(key).orElseThrow());
                  }
                  return seen;
                }));
      }
      List<VersionedBytes> seen = new ArrayList<>();
      for (Future<List<VersionedBytes>> f : readers) {
        seen.addAll(f.get(2, TimeUnit.MINUTES));
      }
      stop.set(true);
      int writes = writer.get(1, TimeUnit.MINUTES);
      assertThat(writes).isGreaterThan(10);
      for (VersionedBytes read : seen) {
        assertThat(new String(read.data(), StandardCharsets.UTF_8))
            .as("content read at generation %s", read.version())
            .isEqualTo(contentByVersion.get(read.version().token()));
      }
      assertThat(seen.stream().map(VersionedBytes::version).distinct().count())
          .as("reads saw the object change")
          .isGreaterThan(1);
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }
}
