package dev.casq.it.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * What the chaos client processes ({@link ChaosPusherMain}, {@link ChaosWorkerMain}) share: one
 * {@link CasqClient} per simulated client, all configured only with the store URI (so they find the
 * broker in the queue object and take a dead one over in-process, the default policy), a reporter
 * of which client hosts a broker, line-oriented output, and the stdin protocol ({@code stop} line:
 * stop working; end of input: close the clients and exit).
 */
final class ChaosClients implements AutoCloseable {
  private static final PrintStream OUT =
      new PrintStream(
          new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);

  private final Map<String, CasqClient> clients = new LinkedHashMap<>();
  private final Map<String, String> hosted = new LinkedHashMap<>();
  private final ScheduledExecutorService monitor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "chaos-host-monitor");
            t.setDaemon(true);
            return t;
          });
  final CountDownLatch stop = new CountDownLatch(1);
  final CountDownLatch endOfInput = new CountDownLatch(1);

  /**
   * One client per tag, on {@code storeUri}. Staleness and retry backoff are left at the client's
   * defaults: the clients learn the brokers' staleness from the broker record and pace their
   * failover by it.
   */
  ChaosClients(String storeUri, List<String> tags) {
    for (String tag : tags) {
      clients.put(
          tag,
          CasqClient.builder()
              .storeUri(storeUri)
              .connectTimeout(Duration.ofSeconds(1))
              .requestTimeout(Duration.ofSeconds(5))
              .build());
    }
    monitor.scheduleWithFixedDelay(this::reportHosts, 20, 20, TimeUnit.MILLISECONDS);
    Thread input = new Thread(this::readInput, "chaos-stdin");
    input.setDaemon(true);
    input.start();
  }

  /** Tags {@code <tag>-c0 ... <tag>-c<n-1>} of n clients. */
  static List<String> clientTags(String tag, int n) {
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      tags.add(tag + "-c" + i);
    }
    return tags;
  }

  CasqClient client(String tag) {
    return clients.get(tag);
  }

  /**
   * Runs {@code n} threads named {@code <kind>-<tag>-<i>}, thread i on the queue of client {@code i
   * % clients}: says {@code READY}, starts them, waits for them and then for the end of input.
   */
  void runThreads(String kind, String tag, int n, BiConsumer<ClientQueue<JsonNode>, String> body)
      throws InterruptedException {
    List<String> tags = new ArrayList<>(clients.keySet());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String t = tag + "-" + i;
      ClientQueue<JsonNode> q = client(tags.get(i % tags.size())).queue(JsonNode.class);
      threads.add(new Thread(() -> body.accept(q, t), kind + "-" + t));
    }
    say("READY");
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    endOfInput.await();
  }

  /** Prints one line and flushes it (thread-safe). */
  static void say(String line) {
    synchronized (OUT) {
      OUT.println(line);
      OUT.flush();
    }
  }

  /** HOSTS tag address when a client starts serving the queue in this process; UNHOSTS when not. */
  private void reportHosts() {
    for (Map.Entry<String, CasqClient> e : clients.entrySet()) {
      Optional<String> now = e.getValue().inProcessBroker();
      String before = hosted.get(e.getKey());
      if (now.isPresent() && !now.get().equals(before)) {
        hosted.put(e.getKey(), now.get());
        say("HOSTS " + e.getKey() + " " + now.get() + " " + System.currentTimeMillis());
      } else if (now.isEmpty() && before != null) {
        hosted.remove(e.getKey());
        say("UNHOSTS " + e.getKey() + " " + before + " " + System.currentTimeMillis());
      }
    }
  }

  private void readInput() {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String s; (s = in.readLine()) != null; ) {
        if (s.trim().equals("stop")) {
          stop.countDown();
        }
      }
    } catch (IOException e) {
      // end of input
    } finally {
      stop.countDown();
      endOfInput.countDown();
    }
  }

  /**
   * Closes clients that do not run a broker first, then those that do: the broker a client started
   * goes away last, so the others never see it vanish and take over again.
   */
  @Override
  public void close() {
    reportHosts();
    monitor.shutdownNow();
    List<CasqClient> hosts = new ArrayList<>();
    for (CasqClient c : clients.values()) {
      if (c.inProcessBroker().isPresent()) {
        hosts.add(c);
      } else {
        c.close();
      }
    }
    hosts.forEach(CasqClient::close);
    say("CLOSED " + hosts.size());
  }
}
