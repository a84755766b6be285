package dev.casq.broker;

import static dev.casq.broker.BrokerApiTest.expect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.core.internal.StateCodec;
import dev.casq.storage.MemoryObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuthTest {
  private static final String TOKEN = "tok-3f9c1e-very-secret";

  @Test
  void everyV1RequestNeedsTheTokenAndRejectedOnesChangeNothing() {
    String store = "auth-" + UUID.randomUUID();
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (CasqBroker broker =
        CasqBroker.builder()
            .queue("mem://" + store + "/q.json")
            .listen("127.0.0.1", 0)
            .token(TOKEN)
            .build()
            .start()) {
      Http anonymous = new Http(broker.address());
      Http wrong = anonymous.withToken("tok-3f9c1e-very-secreT");
      Http right = anonymous.withToken(TOKEN);
      long revision = revision(store);

      Http.Reply none = anonymous.post("/v1/queues/q/jobs", "{\"payload\":1}");
      expect(none, 401, "unauthorized", "Bearer");
      assertThat(none.headers().firstValue("www-authenticate")).contains("Bearer realm=\"casq\"");
      expect(wrong.post("/v1/queues/q/jobs", "{\"payload\":1}"), 401, "unauthorized", "");
      expect(wrong.get("/v1/queues"), 401, "unauthorized", "");
      expect(wrong.get("/v1/queues/nope/stats"), 401, "unauthorized", "");
      Http.Reply basic =
          anonymous.send(
              anonymous
                  .request("/v1/queues/q/jobs")
                  .header("Authorization", "Basic " + TOKEN)
                  .header("Content-Type", "application/json")
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"payload\":1}"))
                  .build());
      expect(basic, 401, "unauthorized", "");
      assertThat(none.text() + basic.text()).doesNotContain(TOKEN);
      assertThat(revision(store)).isEqualTo(revision);

      Http.Reply ok = right.post("/v1/queues/q/jobs", "{\"payload\":1}");
      assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
      assertThat(right.get("/v1/queues/q/stats").json().get("counters").get("pushed").asInt())
          .isEqualTo(1);
      // the same connection, a token differing only in case: still refused
      expect(wrong.post("/v1/queues/q/jobs", "{\"payload\":2}"), 401, "unauthorized", "");
      assertThat(right.get("/v1/queues/q/stats").json().get("counters").get("pushed").asInt())
          .isEqualTo(1);
      assertThat(anonymous.get("/health").status()).isEqualTo(200);
      assertThat(anonymous.get("/metrics").status()).isEqualTo(200);
      assertThat(anonymous.get("/").status()).isEqualTo(200);
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).isNotEmpty().doesNotContain(TOKEN);
  }

  private static long revision(String store) {
    return StateCodec.decode(MemoryObjectStore.named(store).read("q.json").orElseThrow().data())
        .revision();
  }
}
