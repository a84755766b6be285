package dev.casq.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.PushOptions;
import dev.casq.api.Queue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The starter in a whole Spring Boot application, found through its auto-configuration file. */
@SpringBootTest(classes = CasqStarterSpringBootTest.App.class)
class CasqStarterSpringBootTest {
  record Greeting(String name) {}

  @TempDir static Path dir;

  @DynamicPropertySource
  static void casq(DynamicPropertyRegistry registry) {
    registry.add("casq.store", () -> dir.resolve("greetings.json").toUri().toString());
    registry.add("casq.payload-type", () -> Greeting.class.getName());
    registry.add("casq.store-properties.file.fsync", () -> "false");
    registry.add("casq.worker.poll-wait", () -> "200ms");
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    final List<String> greeted = new CopyOnWriteArrayList<>();

    @Bean
    CasqHandler<Greeting> greeter() {
      return CasqHandler.of("greet", Greeting.class, job -> greeted.add(job.payload().name()));
    }
  }

  @Autowired Queue<Greeting> greetings;
  @Autowired App app;
  @Autowired CasqWorkerLifecycle worker;
  @Autowired CasqHealthIndicator health;

  @Test
  void theTypedQueueBeanFeedsTheHandlerBean() {
    assertThat(worker.isRunning()).isTrue();
    String id = greetings.push(new Greeting("ada"), PushOptions.none().type("greet")).jobId();
    await().atMost(Duration.ofSeconds(20)).until(() -> app.greeted.contains("ada"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> greetings.stats().counters().completed() == 1);
    assertThat(greetings.get(id).payload()).isEqualTo(new Greeting("ada"));
    assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
  }
}
