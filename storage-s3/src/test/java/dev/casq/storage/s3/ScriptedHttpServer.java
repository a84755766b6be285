package dev.casq.storage.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A loopback HTTP/1.1 server that answers each request with the next scripted {@link Reply}, and
 * records what it received. It is a fault injector for the HTTP layer of the S3 store (500s,
 * connection resets, hangs, throttling answers), not an S3 implementation: it knows nothing of
 * buckets or preconditions, and the tests never rely on it for compare-and-swap semantics (those
 * run against a real radosgw).
 */
final class ScriptedHttpServer implements AutoCloseable {

  /** What the server received. Header names are lower case. */
  record Request(String method, String target, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** One scripted answer. */
  sealed interface Reply {}

  /** An HTTP response. */
  record Respond(int status, Map<String, String> headers, String body) implements Reply {}

  /** Read the request, then reset the connection without answering. */
  record Reset() implements Reply {}

  /** Read the request, then never answer (until the server closes). */
  record Hang() implements Reply {}

  static Reply ok(Map<String, String> headers, String body) {
    return new Respond(200, headers, body);
  }

  static Reply okWithEtag(String etag) {
    return new Respond(200, Map.of("ETag", '"' + etag + '"'), "");
  }

  static Reply s3Error(int status, String code) {
    return s3Error(status, code, Map.of());
  }

  static Reply s3Error(int status, String code, Map<String, String> headers) {
    String body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
            + code
            + "</Code><Message>scripted "
            + code
            + "</Message><RequestId>r1</RequestId></Error>";
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Content-Type", "application/xml");
    return new Respond(status, h, body);
  }

  private final ServerSocket server;
  private final BlockingQueue<Reply> script = new LinkedBlockingQueue<>();
  private final List<Request> received = Collections.synchronizedList(new ArrayList<>());
  private final List<Socket> connections = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread acceptor;

  ScriptedHttpServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "scripted-http-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Appends answers to the script, used in order by the following requests. */
  ScriptedHttpServer then(Reply... replies) {
    for (Reply r : replies) {
      script.add(r);
    }
    return this;
  }

  List<Request> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.add(s);
        Thread t = new Thread(() -> serve(s), "scripted-http-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        Request request = readRequest(in);
        if (request == null) {
          return;
        }
        received.add(request);
        Reply reply = script.poll();
        if (reply == null) {
          reply = s3Error(500, "NoScriptedReply");
        }
        if (reply instanceof Reset) {
          socket.setSoLinger(true, 0);
          return;
        }
        if (reply instanceof Hang) {
          closing.await();
          return;
        }
        write(out, (Respond) reply, request.method().equals("HEAD"));
      }
    } catch (IOException | InterruptedException e) {
      // the client went away, or the server is closing
    }
  }

  private static void write(OutputStream out, Respond r, boolean head) throws IOException {
    byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder();
    sb.append("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n");
    r.headers().forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    sb.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (!head) {
      out.write(body);
    }
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 204 -> "No Content";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 409 -> "Conflict";
      case 412 -> "Precondition Failed";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  /** Reads one request, or returns null at the end of the stream. */
  private static Request readRequest(InputStream in) throws IOException {
    String requestLine = readLine(in);
    if (requestLine == null || requestLine.isEmpty()) {
      return null;
    }
    String[] parts = requestLine.split(" ");
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    byte[] body = new byte[0];
    String length = headers.get("content-length");
    if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      while (true) {
        String size = readLine(in);
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          while (true) {
            String trailer = readLine(in);
            if (trailer == null || trailer.isEmpty()) {
              break;
            }
          }
          break;
        }
        all.write(in.readNBytes(n));
        readLine(in);
      }
      body = all.toByteArray();
    }
    return new Request(parts[0], parts.length > 1 ? parts[1] : "", headers, body);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        byte[] b = line.toByteArray();
        int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        return new String(b, 0, len, StandardCharsets.ISO_8859_1);
      }
      line.write(c);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    closing.countDown();
    server.close();
    synchronized (connections) {
      for (Socket s : connections) {
        try {
          s.close();
        } catch (SocketException ignored) {
          // closing anyway
        }
      }
    }
  }
}
