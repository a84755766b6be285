package dev.casq.it.chaos;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM at random moments on {@code file://}: 20 cycles in CI. */
@DisplayName("graceful stop with real processes and SIGTERM on file://")
class FileGracefulStopTest extends AbstractGracefulStopTest {
  @TempDir Path dir;

  @Override
  protected String queueUri(String name) {
    return dir.resolve(name + ".json").toUri().toString();
  }

  @Override
  protected Map<String, String> storeProperties() {
    return Map.of();
  }

  @Override
  protected Map<String, String> childEnvironment() {
    return Map.of();
  }

  @Override
  protected String backend() {
    return "file";
  }

  @Override
  protected int defaultCycles() {
    return 20;
  }
}
