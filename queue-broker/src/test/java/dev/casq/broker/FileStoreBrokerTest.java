package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker on a durable file:// object: what it acknowledges is on disk and survives a restart.
 */
class FileStoreBrokerTest {
  @TempDir Path dir;

  @Test
  void acknowledgedPushesAreInTheFileAndARestartedBrokerServesThem() throws Exception {
    String uri = dir.toUri() + "emails.json";
    List<String> ids = new ArrayList<>();
    try (CasqBroker first =
        CasqBroker.builder().queue(uri).listen("127.0.0.1", 0).build().start()) {
      Http http = new Http(first.address());
      List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        replies.add(http.postAsync("/v1/queues/emails/jobs", "{\"payload\":{\"n\":" + i + "}}"));
      }
      for (CompletableFuture<Http.Reply> r : replies) {
        Http.Reply reply = r.get(60, TimeUnit.SECONDS);
        assertThat(reply.status()).isEqualTo(201);
        ids.add(reply.json().get("id").asText());
      }
      // acknowledged means written: the file holds every job now, before any shutdown
      QueueState onDisk = StateCodec.decode(Files.readAllBytes(dir.resolve("emails.json")));
      try (dev.casq.storage.StoreLocation loc = dev.casq.storage.Stores.open(uri)) {
        assertThat(StateCodec.liveJobs(loc.store(), onDisk)).hasSize(200); // with segments
      }
      assertThat(onDisk.broker().id()).isEqualTo(first.brokerId());
    }
    try (CasqBroker second =
        CasqBroker.builder().queue(uri).listen("127.0.0.1", 0).build().start()) {
      assertThat(second.broker("emails").orElseThrow().epoch()).isEqualTo(2);
      Http http = new Http(second.address());
      Http.Reply claim = http.post("/v1/queues/emails/claim", "{\"worker\":\"w\",\"limit\":1000}");
      JsonNode jobs = claim.json().get("jobs");
      assertThat(jobs).hasSize(200);
      List<String> claimed = new ArrayList<>();
      jobs.forEach(j -> claimed.add(j.get("id").asText()));
      assertThat(claimed).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(claimed.get(0)).as("FIFO: the first push is claimed first").isEqualTo("j1");
      for (JsonNode j : jobs) {
        Http.Reply done =
            http.post(
                "/v1/queues/emails/jobs/" + j.get("id").asText() + "/complete",
                "{\"leaseToken\":\"" + j.get("leaseToken").asText() + "\"}");
        assertThat(done.status()).isEqualTo(200);
      }
      JsonNode stats = http.get("/v1/queues/emails/stats").json();
      assertThat(stats.get("pending").asInt()).isZero();
      assertThat(stats.get("counters").get("completed").asInt()).isEqualTo(200);
    }
  }
}
