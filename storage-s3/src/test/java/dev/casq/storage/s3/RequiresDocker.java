package dev.casq.storage.s3;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Disables a test class when no Docker engine is reachable, and says so plainly in the build output
 * (once per class).
 */
final class RequiresDocker implements ExecutionCondition {
  private static final Logger LOG = LoggerFactory.getLogger(RequiresDocker.class);

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if (dockerAvailable()) {
      return ConditionEvaluationResult.enabled("a Docker engine is available");
    }
    String reason =
        "no Docker engine on this machine: this Testcontainers test runs wherever Docker runs";
    if (context.getTestMethod().isEmpty()) {
      LOG.warn("SKIPPED {}: {}", context.getDisplayName(), reason);
    }
    return ConditionEvaluationResult.disabled(reason);
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
