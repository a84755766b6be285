package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.casq.wire.ErrorCode;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** docs/openapi.yaml and the broker agree on routes, methods and error codes. */
class OpenApiDocumentTest {
  private static final Path DOC = Path.of("..", "docs", "openapi.yaml");

  @Test
  void everyDocumentedOperationIsRoutedAndEveryErrorCodeIsDocumented() throws Exception {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(DOC));
    try (CasqBroker broker =
        CasqBroker.builder()
            .queue("mem://openapi-" + UUID.randomUUID() + "/q.json")
            .listen("127.0.0.1", 0)
            .build()
            .start()) {
      Http http = new Http(broker.address());
      List<String> checked = new ArrayList<>();
      Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
      while (paths.hasNext()) {
        Map.Entry<String, JsonNode> p = paths.next();
        String path =
            p.getKey().replace("{q}", "q").replace("{id}", "j404").replace("{name}", "s404");
        List<String> allowed = new ArrayList<>();
        p.getValue()
            .fieldNames()
            .forEachRemaining(m -> allowed.add(m.toUpperCase(java.util.Locale.ROOT)));
        // PATCH is no operation of any path: 405 names the allowed methods
        Http.Reply patch =
            http.send(
                http.request(path).method("PATCH", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(patch.status()).as("PATCH " + path + " -> " + patch).isEqualTo(405);
        assertThat(patch.headers().firstValue("allow").orElse(""))
            .as("Allow of " + path)
            .isEqualTo(
                path.endsWith("/jobs/batch") || path.endsWith("/jobs/complete")
                    ? "GET, POST"
                    : String.join(", ", allowed));
        Iterator<String> methods = p.getValue().fieldNames();
        while (methods.hasNext()) {
          String method = methods.next().toUpperCase(java.util.Locale.ROOT);
          HttpRequest.Builder b = http.request(path).header("Content-Type", "application/json");
          Http.Reply r =
              http.send(
                  method.equals("GET")
                      ? b.GET().build()
                      : b.method(method, HttpRequest.BodyPublishers.ofString("{}")).build());
          boolean unrouted = r.status() == 404 && r.text().contains("no route");
          assertThat(unrouted).as(method + " " + path + " -> " + r).isFalse();
          checked.add(method + " " + p.getKey());
        }
      }
      assertThat(checked).hasSize(25);
    }
    JsonNode codes = doc.at("/components/schemas/Error/properties/error/properties/code/enum");
    List<String> documented = new ArrayList<>();
    codes.forEach(c -> documented.add(c.asText()));
    List<String> implemented = new ArrayList<>();
    for (ErrorCode c : ErrorCode.values()) {
      implemented.add(c.wireName());
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(implemented);
  }
}
