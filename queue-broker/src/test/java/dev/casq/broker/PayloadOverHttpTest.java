package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.core.internal.Job;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A payload pushed over HTTP comes back byte for byte: live, and after another broker re-read it.
 */
class PayloadOverHttpTest {
  private static final String PAYLOAD =
      "{\"big\":1e999999999,\"exact\":0.1000000000000000000000001,\"e\":1E+2,\"neg\":-0,"
          + "\"s\":\"\\u00e9\\\"\\/x\",\"list\":[ 1 , 2.50 ],\"z\":{\"b\":1,\"a\":2}}";
  private static final String RESULT = "{\"took\":12.000,\"n\":-0}";

  @Test
  void payloadAndResultComeBackExactlyAsSent() {
    String store = "mem://exact-" + UUID.randomUUID() + "/jobs.json";
    String id;
    try (CasqBroker broker =
        CasqBroker.builder().queue("jobs", store).listen("127.0.0.1", 0).build().start()) {
      Http http = new Http(broker.address());
      Http.Reply pushed = http.post("/v1/queues/jobs/jobs", "{\"payload\": " + PAYLOAD + " }");
      assertThat(pushed.status()).isEqualTo(201);
      id = pushed.json().get("id").asText();

      Http.Reply claimed = http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\"}");
      assertThat(claimed.text()).contains("\"payload\":" + PAYLOAD);
      JsonNode job = claimed.json().get("jobs").get(0);
      Http.Reply done =
          http.post(
              "/v1/queues/jobs/jobs/" + id + "/complete",
              "{\"leaseToken\":\""
                  + job.get("leaseToken").asText()
                  + "\",\"result\":"
                  + RESULT
                  + "}");
      assertThat(done.status()).isEqualTo(200);
      Job stored = broker.jobQueue("jobs").get(id).join();
      assertThat(stored.payloadJson()).isEqualTo(PAYLOAD);
      assertThat(stored.resultJson()).isEqualTo(RESULT);
    }
    try (CasqBroker again =
        CasqBroker.builder().queue("jobs", store).listen("127.0.0.1", 0).build().start()) {
      Job reread = again.jobQueue("jobs").get(id).join(); // decoded from the stored object
      assertThat(reread.payloadJson()).isEqualTo(PAYLOAD);
      assertThat(reread.resultJson()).isEqualTo(RESULT);
    }
  }
}
