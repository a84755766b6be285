package dev.casq.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application that uses casq through casq-spring-boot-starter: two job types (email
 * and report) handled by handler beans, a REST endpoint that pushes them, and the actuator's health
 * and metrics. Run it from the repository root with {@code mvn -B -q -pl samples/spring-boot-sample
 * -am spring-boot:run -Prun-sample}.
 */
@SpringBootApplication
public class SampleApplication {
  /**
   * Starts the application; the queue object is {@code target/casq-sample/jobs.json} unless {@code
   * casq.store} says otherwise.
   *
   * @param args Spring Boot arguments, e.g. {@code --casq.store=file:///tmp/jobs.json}
   * @throws Exception when the queue's directory cannot be created
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of("target", "casq-sample").toAbsolutePath();
    Files.createDirectories(dir);
    SpringApplication app = new SpringApplication(SampleApplication.class);
    app.setDefaultProperties(Map.of("casq.store", dir.resolve("jobs.json").toUri().toString()));
    app.run(args);
  }
}
