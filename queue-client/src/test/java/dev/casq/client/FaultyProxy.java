package dev.casq.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on loopback in front of a real broker that can break the next answer: the request is
 * forwarded (and applied by the broker), then the broker's answer is dropped with the connection
 * (the client sees a reset / EOF) or held back past the client's timeout. What a flaky network or a
 * load balancer does to a client.
 */
final class FaultyProxy implements AutoCloseable {
  enum Fault {
    NONE,
    DROP_ANSWER,
    DELAY_ANSWER
  }

  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Fault> next = new AtomicReference<>(Fault.NONE);
  private final AtomicInteger faultsApplied = new AtomicInteger();
  private volatile Duration delay = Duration.ZERO;
  private volatile boolean closed;

  FaultyProxy(String upstreamAddress) throws IOException {
    java.net.URI u = java.net.URI.create(upstreamAddress);
    this.upstream = new InetSocketAddress(u.getHost(), u.getPort());
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "faulty-proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  String address() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** The next answer from the broker is dropped together with its connection. */
  void dropNextAnswer() {
    next.set(Fault.DROP_ANSWER);
  }

  /** The next answer from the broker is held back for {@code d} before it is forwarded. */
  void delayNextAnswer(Duration d) {
    delay = d;
    next.set(Fault.DELAY_ANSWER);
  }

  int faultsApplied() {
    return faultsApplied.get();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        Socket broker = new Socket();
        broker.connect(upstream, 2000);
        client.setTcpNoDelay(true);
        broker.setTcpNoDelay(true);
        sockets.add(client);
        sockets.add(broker);
        pump(client, broker, false);
        pump(broker, client, true);
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean answers) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                  if (answers) {
                    Fault f = next.getAndSet(Fault.NONE);
                    if (f == Fault.DROP_ANSWER) {
                      faultsApplied.incrementAndGet();
                      closeQuietly(from);
                      closeQuietly(to);
                      return;
                    }
                    if (f == Fault.DELAY_ANSWER) {
                      faultsApplied.incrementAndGet();
                      // the scripted slowness itself, not synchronisation
                      new CountDownLatch(1).await(delay.toMillis(), TimeUnit.MILLISECONDS);
                    }
                  }
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // connection ended
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "faulty-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void closeQuietly(Socket s) {
    sockets.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }
}
