package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A request that reaches a handed-over broker on a keep-alive connection after its HTTP server
 * began its graceful stop is forwarded to the successor like any late request (Jetty alone would
 * answer it a bare 503), and that connection is closed after the answer.
 */
class LateRequestsWhileStoppingTest {
  private static final String TOKEN = "late-requests";

  private static CasqBroker.Builder broker(String uri, String id) {
    return CasqBroker.builder()
        .queue(uri)
        .listen("127.0.0.1", 0)
        .brokerId(id)
        .token(TOKEN)
        .heartbeatInterval(Duration.ofMillis(100))
        .staleAfter(Duration.ofMillis(500))
        .probeTimeout(Duration.ofSeconds(5));
  }

  /** One HTTP/1.1 keep-alive connection, read by hand so the test sees every header. */
  private static final class Connection implements AutoCloseable {
    final Socket socket;

    Connection(String address) throws IOException {
      URI u = URI.create(address);
      socket = new Socket(u.getHost(), u.getPort());
      socket.setSoTimeout(30_000);
    }

    void send(String method, String path, String body) throws IOException {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      String head =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
              + TOKEN
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + b.length
              + "\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
    }

    /** Status line and headers (lower case), then the body. */
    String[] read() throws IOException {
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int c = in.read();
        if (c < 0) {
          throw new IOException("connection closed before the answer's head ended: " + head);
        }
        head.write(c);
        matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
      }
      String h = head.toString(StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
      int length = 0;
      for (String line : h.split("\r\n")) {
        if (line.startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      return new String[] {h, new String(body, StandardCharsets.UTF_8)};
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static boolean refusesNewConnections(String address) {
    URI u = URI.create(address);
    try (Socket s = new Socket(u.getHost(), u.getPort())) {
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aLateRequestDuringTheGracefulStopIsForwardedAndItsConnectionClosed() throws Exception {
    String uri = "mem://late-" + UUID.randomUUID() + "/q.json";
    String push = "/v1/queues/q/jobs";
    CasqBroker a = broker(uri, "broker-a").build().start();
    try (CasqBroker b = broker(uri, "broker-b").handover(true).build().start();
        Connection inFlight = new Connection(a.address());
        Connection idle = new Connection(a.address())) {
      idle.send("GET", "/health", "");
      assertThat(idle.read()[0]).startsWith("http/1.1 200"); // open, kept alive
      CompletableFuture<Void> closing;
      try (EngineBlocker held = new EngineBlocker(b.jobQueue("q"))) {
        // forwarded to b and held there: a's graceful stop must wait for it
        inFlight.send("POST", push, "{\"payload\":1,\"key\":\"k1\"}");
        closing = CompletableFuture.runAsync(a::close);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(a::httpStopping);
        assertThat(refusesNewConnections(a.address())).as("new connections").isTrue();
        assertThat(closing).as("the stop waits for the forward in flight").isNotDone();
        // the next request on a connection that was already open
        idle.send("POST", push, "{\"payload\":2,\"key\":\"k2\"}");
      }
      String[] late = idle.read();
      assertThat(late[0]).as(late[1]).startsWith("http/1.1 201");
      assertThat(late[0]).contains("connection: close");
      assertThat(late[1]).contains("\"id\"");
      assertThat(inFlight.read()[0]).startsWith("http/1.1 201");
      closing.get(30, TimeUnit.SECONDS);
      assertThat(b.jobQueue("q").stats().get(10, TimeUnit.SECONDS).counters().pushed())
          .isEqualTo(2);
    } finally {
      a.close();
    }
  }
}
