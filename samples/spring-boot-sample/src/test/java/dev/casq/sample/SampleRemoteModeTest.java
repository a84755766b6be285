package dev.casq.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.Queue;
import dev.casq.broker.CasqBroker;
import dev.casq.client.ClientQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same sample with {@code casq.mode=remote}: the queue is served by a real broker started here
 * on loopback, and the application reaches it through the client.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(SampleRemoteModeTest.BrokerBean.class)
@DirtiesContext
class SampleRemoteModeTest {
  @TempDir static Path dir;
  static CasqBroker broker;

  @DynamicPropertySource
  static void remote(DynamicPropertyRegistry registry) {
    String store = dir.resolve("jobs.json").toUri().toString();
    broker =
        CasqBroker.builder()
            .queue(store)
            .storeProperties(Map.of("file.fsync", "false"))
            .listen("127.0.0.1", 0)
            .build()
            .start();
    registry.add("casq.mode", () -> "remote");
    registry.add("casq.store", () -> store);
    registry.add("casq.remote.takeover", () -> "none");
    registry.add("casq.worker.poll-wait", () -> "200ms");
  }

  /** The broker closes with the context, after the worker has stopped. */
  @TestConfiguration(proxyBeanMethods = false)
  static class BrokerBean {
    @Bean(destroyMethod = "close")
    CasqBroker broker() {
      return broker;
    }
  }

  @Autowired TestRestTemplate http;
  @Autowired Queue<Object> queue;

  @Test
  void jobsPushedOverHttpGoThroughTheBrokerAndAreHandled() {
    assertThat(queue).isInstanceOf(ClientQueue.class);
    JobsController.Pushed email =
        http.postForObject(
            "/jobs/email",
            new Jobs.Email("ada@example.com", "Remote"),
            JobsController.Pushed.class);
    JobsController.Pushed report =
        http.postForObject(
            "/jobs/report", new Jobs.Report("remote-report", 2), JobsController.Pushed.class);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(Arrays.asList(http.getForObject("/jobs/handled", Jobs.Handled[].class)))
                    .extracting(Jobs.Handled::id)
                    .contains(email.id(), report.id()));
    // the broker committed them
    assertThat(broker.isServing("jobs")).isTrue();
    assertThat(queue.stats().counters().completed()).isGreaterThanOrEqualTo(2);

    JsonNode casq =
        http.getForObject("/actuator/health", JsonNode.class).path("components").path("casq");
    assertThat(casq.path("status").asText()).isEqualTo("UP");
    assertThat(casq.path("details").path("broker").asText()).isEqualTo(broker.address());
  }
}
