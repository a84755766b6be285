package dev.casq.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** What the jar tells Spring Boot and IDEs: property metadata and the startup failure report. */
@ExtendWith(OutputCaptureExtension.class)
class CasqStarterPackagingTest {
  @Test
  void everyPropertyHasGeneratedMetadataWithADescription() throws Exception {
    JsonNode metadata;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("spring-configuration-metadata.json").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    Map<String, JsonNode> byName = new HashMap<>();
    List<String> undocumented = new ArrayList<>();
    for (JsonNode p : metadata.path("properties")) {
      byName.put(p.path("name").asText(), p);
      if (p.path("description").asText().isBlank()) {
        undocumented.add(p.path("name").asText());
      }
    }
    assertThat(byName)
        .containsKeys(
            "casq.store",
            "casq.mode",
            "casq.payload-type",
            "casq.remote.token",
            "casq.remote.takeover",
            "casq.worker.concurrency",
            "casq.worker.shutdown-grace",
            "casq.health.timeout");
    assertThat(undocumented).isEmpty();
    assertThat(byName.get("casq.mode").path("defaultValue").asText()).isEqualTo("embedded");
    assertThat(byName.get("casq.worker.shutdown-grace").path("defaultValue").asText())
        .isEqualTo("30s");
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @Test
  void aWrongPropertyStopsStartupWithAReportThatNamesIt(CapturedOutput output) {
    SpringApplication app = new SpringApplication(App.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    Throwable failure = null;
    try {
      app.run("--casq.worker.concurrency=0");
    } catch (RuntimeException e) {
      failure = e;
    }
    assertThat(failure).isNotNull();
    FailureAnalysis analysis = new InvalidCasqPropertiesFailureAnalyzer().analyze(failure);
    assertThat(analysis.getDescription())
        .contains("- casq.store is required")
        .contains("- casq.worker.concurrency must be from 1 to 10000, got 0");
    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("The casq.* properties cannot open the queue:");
  }
}
