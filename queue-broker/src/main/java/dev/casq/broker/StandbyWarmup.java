package dev.casq.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.casq.core.QueueOptions;
import dev.casq.storage.MemoryObjectStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms a standby broker's hot path while it waits, so that it serves near its warm rate as soon as
 * it takes over: a private broker in this JVM (its own HTTP server on a loopback port with a random
 * token, its own queue object: a temporary {@code file://} directory when the served queue is on
 * {@code file://}, without fsync, else an in-memory store) is pushed to, claimed from and completed
 * through the same request parsing, handler chain, commit engine and state codec, until the budget
 * is spent or {@link #stop()} is called (at the takeover), whichever comes first. Then the private
 * broker is closed and its object deleted.
 *
 * <p>It never touches a served queue; its threads are few ({@value #CHAINS} request chains) and
 * bounded in time; {@link #stop()} returns at once, so it never delays a takeover.
 */
final class StandbyWarmup {
  private static final Logger log = LoggerFactory.getLogger(StandbyWarmup.class);

  /** Concurrent request chains. */
  static final int CHAINS = 4;

  private static final String QUEUE = "casq-warmup";
  private static final int PAYLOAD_BYTES = 100;
  private static final int BATCH = 50;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String servedUri;
  private final Map<String, String> storeProperties;
  private final QueueOptions queueOptions;
  private final Duration budget;
  private final AtomicLong requests = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);
  private final String token =
      HexFormat.of().toHexDigits(new SecureRandom().nextLong())
          + HexFormat.of().toHexDigits(new SecureRandom().nextLong());

  /** Names the private broker and object (logged, unlike the token). */
  private final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

  private volatile boolean stopped;
  private volatile String storeUri;

  private StandbyWarmup(
      String servedUri,
      Map<String, String> storeProperties,
      QueueOptions queueOptions,
      Duration budget) {
    this.servedUri = servedUri;
    this.storeProperties = Map.copyOf(storeProperties);
    this.queueOptions = queueOptions;
    this.budget = budget;
  }

  /**
   * Starts warming in a background thread; returns at once.
   *
   * @param servedUri the store URI of a queue this broker will serve (only its scheme is used)
   * @param storeProperties its store properties (used for a {@code file://} warm-up object)
   * @param queueOptions the engine options of the served queues
   * @param budget how long the warm-up may run at most
   */
  static StandbyWarmup start(
      String servedUri,
      Map<String, String> storeProperties,
      QueueOptions queueOptions,
      Duration budget) {
    StandbyWarmup w = new StandbyWarmup(servedUri, storeProperties, queueOptions, budget);
    Thread t = new Thread(w::run, "casq-broker-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
    return w;
  }

  /** Ends the warm-up; returns at once (the private broker is closed in the background). */
  void stop() {
    stopped = true;
  }

  /** Requests answered by the private broker so far. */
  long requests() {
    return requests.get();
  }

  /** The private queue object's URI once chosen, else null. */
  String storeUri() {
    return storeUri;
  }

  /** Waits until the warm-up ended and its broker and object are gone. */
  boolean awaitDone(Duration timeout) throws InterruptedException {
    return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void run() {
    long started = System.nanoTime();
    Path dir = null;
    String memName = null;
    CasqBroker broker = null;
    ExecutorService clientThreads = null;
    try {
      Map<String, String> props = Map.of();
      if (servedUri.regionMatches(true, 0, "file:", 0, 5)) {
        dir = Files.createTempDirectory("casq-warmup");
        storeUri = dir.toUri() + "warmup.json";
        // the served queue's properties, but no fsync: the object is thrown away, and waiting on
        // the disk would leave the request path cold
        Map<String, String> p = new HashMap<>(storeProperties);
        p.put("file.fsync", "false");
        props = p;
      } else {
        memName = "casq-warmup-" + id;
        storeUri = "mem://" + memName + "/warmup.json";
      }
      if (stopped) {
        return;
      }
      broker =
          CasqBroker.builder()
              .queue(QUEUE, storeUri, props)
              .listen("127.0.0.1", 0)
              .token(token)
              .brokerId("casq-warmup-" + id)
              .queueOptions(queueOptions)
              .maxThreads(16)
              .shutdownTimeout(Duration.ofSeconds(2))
              .quiet()
              .build()
              .start();
      clientThreads =
          Executors.newFixedThreadPool(
              2,
              r -> {
                Thread t = new Thread(r, "casq-broker-warmup-client");
                t.setDaemon(true);
                return t;
              });
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(2))
              .executor(clientThreads)
              .build();
      String base = broker.address() + "/v1/queues/" + QUEUE;
      long deadline = started + budget.toNanos();
      List<Thread> chains = new ArrayList<>();
      for (int c = 0; c < CHAINS; c++) {
        int chain = c;
        Thread t =
            new Thread(() -> chain(http, base, chain, deadline), "casq-broker-warmup-" + chain);
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        chains.add(t);
      }
      for (Thread t : chains) {
        t.join();
      }
      log.info(
          "warm-up: {} requests to a private queue in {} ms{}",
          requests.get(),
          (System.nanoTime() - started) / 1_000_000,
          stopped ? " (ended by the takeover)" : "");
    } catch (IOException | RuntimeException e) {
      log.warn("warm-up ended early: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (broker != null) {
        try {
          broker.close();
        } catch (RuntimeException e) {
          log.debug("closing the warm-up broker failed: {}", e.toString());
        }
      }
      if (clientThreads != null) {
        clientThreads.shutdownNow();
      }
      if (memName != null) {
        MemoryObjectStore.forget(memName);
      }
      if (dir != null) {
        delete(dir);
      }
      done.countDown();
    }
  }

  /** One chain: keyed single pushes, now and then a batch, a claim and completes. */
  private void chain(HttpClient http, String base, int chain, long deadline) {
    String filler = "x".repeat(PAYLOAD_BYTES - 24);
    for (long n = 0; !stopped && System.nanoTime() < deadline; n++) {
      try {
        String key = "w" + chain + "-" + n;
        post(http, base + "/jobs", pushBody(key, filler));
        if (n % 8 == 7) {
          post(http, base + "/jobs", pushBody(key, filler)); // a duplicate
        }
        if (n % 32 == 31) {
          StringBuilder b = new StringBuilder("{\"jobs\":[");
          for (int i = 0; i < BATCH; i++) {
            b.append(i == 0 ? "" : ",").append(pushBody(key + "-" + i, filler));
          }
          post(http, base + "/jobs/batch", b.append("]}").toString());
          drain(http, base, chain);
        }
        if (n % 256 == 255) {
          get(http, base + "/stats");
        }
      } catch (IOException | RuntimeException e) {
        if (!stopped) {
          log.debug("warm-up request failed: {}", e.toString());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Claims what this chain pushed and completes it, so that the private queue stays small. */
  private void drain(HttpClient http, String base, int chain)
      throws IOException, InterruptedException {
    JsonNode claimed =
        JSON.readTree(
            post(
                http,
                base + "/claim",
                "{\"worker\":\"warmup-" + chain + "\",\"limit\":100,\"lease\":\"30s\"}"));
    for (JsonNode job : claimed.path("jobs")) {
      if (stopped) {
        return;
      }
      post(
          http,
          base + "/jobs/" + job.path("id").asText() + "/complete",
          "{\"leaseToken\":" + JSON.writeValueAsString(job.path("leaseToken").asText()) + "}");
    }
  }

  private static String pushBody(String key, String filler) {
    return "{\"payload\":{\"k\":\"" + key + "\",\"p\":\"" + filler + "\"},\"key\":\"" + key + "\"}";
  }

  private String post(HttpClient http, String url, String body)
      throws IOException, InterruptedException {
    return send(
        http,
        HttpRequest.newBuilder(URI.create(url))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private String get(HttpClient http, String url) throws IOException, InterruptedException {
    return send(http, HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private String send(HttpClient http, HttpRequest.Builder b)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            b.header("authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    requests.incrementAndGet();
    if (r.statusCode() >= 300) {
      throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static void delete(Path dir) {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.debug("could not delete the warm-up directory {}: {}", dir, e.toString());
    }
  }
}
