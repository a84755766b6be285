package dev.casq.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A small JSON client for tests, on the JDK HttpClient. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  record Reply(int status, String text, java.net.http.HttpHeaders headers) {
    JsonNode json() {
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (" + status + "): " + text, e);
      }
    }

    String errorCode() {
      return json().path("error").path("code").asText();
    }

    String errorMessage() {
      return json().path("error").path("message").asText();
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  private final String base;
  private final String token;
  private final String forwardedBy;

  Http(String base) {
    this(base, null);
  }

  Http(String base, String token) {
    this(base, token, null);
  }

  private Http(String base, String token, String forwardedBy) {
    this.base = base;
    this.token = token;
    this.forwardedBy = forwardedBy;
  }

  Http withToken(String t) {
    return new Http(base, t, forwardedBy);
  }

  /** Requests marked as forwarded by broker {@code id}: a broker never forwards them again. */
  Http asForwardedBy(String id) {
    return new Http(base, token, id);
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (forwardedBy != null) {
      b.header("Casq-Forwarded-By", forwardedBy);
    }
    return b;
  }

  Reply get(String path) {
    return send(request(path).GET().build());
  }

  Reply post(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  CompletableFuture<Reply> postAsync(String path, String json) {
    return CLIENT
        .sendAsync(
            request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Reply(r.statusCode(), r.body(), r.headers()));
  }

  Reply send(HttpRequest request) {
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body(), r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
