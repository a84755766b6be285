package dev.casq.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns {@link InvalidCasqPropertiesException} into Spring Boot's "APPLICATION FAILED TO START"
 * report: one line per wrong property, and where the properties are documented.
 */
public class InvalidCasqPropertiesFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidCasqPropertiesException> {
  /** Used by Spring Boot (META-INF/spring.factories). */
  public InvalidCasqPropertiesFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidCasqPropertiesException cause) {
    StringBuilder description = new StringBuilder("The casq.* properties cannot open the queue:");
    for (String problem : cause.problems()) {
      description.append(System.lineSeparator()).append("    - ").append(problem);
    }
    return new FailureAnalysis(
        description.toString(),
        "Correct the casq.* properties (application.properties, the environment or the command"
            + " line); docs/spring.md lists them with their defaults.",
        cause);
  }
}
