package dev.casq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.client.CasqClient;
import dev.casq.core.PushOptions;
import dev.casq.core.PushResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code casq push}: pushes one job through the broker and prints its id. */
@Command(
    name = "push",
    header = "Push one job and print its id.",
    description =
        "Pushes one job and prints its id once the broker has made it durable. The broker is"
            + " found in the store; when none is alive, one is started in this process for the"
            + " push (see --takeover).")
final class PushCommand implements Callable<Integer> {
  @ParentCommand CasqCommand parent;
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();
  @Mixin ClientOptions client = new ClientOptions();

  @Option(names = "--key", paramLabel = "KEY",
      description = "Idempotency key: pushes with the same key create one job.")
  String key;

  @Option(names = "--priority", paramLabel = "P",
      description = "Higher runs first (-1000000 to 1000000). Default 0.")
  Integer priority;

  @Option(names = "--delay", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Do not run before now + DURATION, e.g. 30s, 5m.")
  Duration delay;

  @Option(names = "--run-at", paramLabel = "INSTANT",
      description = "Do not run before this ISO-8601 instant, e.g. 2030-01-01T00:00:00Z.")
  String runAt;

  @Option(names = "--type", paramLabel = "TYPE", description = "Job type workers may filter on.")
  String type;

  @Option(names = "--max-attempts", paramLabel = "N",
      description = "Attempts before the job goes dead. Default: the queue's (5).")
  Integer maxAttempts;

  @Parameters(index = "0", paramLabel = "JSON",
      description = "The payload: one JSON value, e.g. '{\"to\":\"ada@example.com\"}'; '-' reads"
          + " it from stdin.")
  String json;

  InputStream stdin = System.in;

  @Override
  public Integer call() throws IOException {
    CommandLine cmd = spec.commandLine();
    // SIGTERM / Ctrl-C: the push finishes (within --deadline), then closing the client drains and
    // resigns the broker it may host in this process
    parent.stopSignal().onRequest(() -> {});
    if (delay != null && runAt != null) {
      throw new CommandLine.ParameterException(cmd, "give --delay or --run-at, not both");
    }
    PushOptions o = PushOptions.none();
    if (key != null) {
      o = o.key(key);
    }
    if (priority != null) {
      o = o.priority(priority);
    }
    if (delay != null) {
      o = o.delay(delay);
    }
    if (runAt != null) {
      try {
        o = o.runAt(Instant.parse(runAt));
      } catch (DateTimeParseException e) {
        throw new CommandLine.ParameterException(cmd,
            "--run-at '" + runAt + "' is not an ISO-8601 instant such as 2030-01-01T00:00:00Z");
      }
    }
    if (type != null) {
      o = o.type(type);
    }
    if (maxAttempts != null) {
      o = o.maxAttempts(maxAttempts);
    }
    String payload = "-".equals(json)
        ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8).trim() : json;
    try (CasqClient c = client.build(cmd, parent.env(), null)) {
      PushResult r = c.queue(JsonNode.class).pushJson(payload, o);
      cmd.getOut().println(r.jobId());
      cmd.getOut().flush();
      if (r.duplicate()) {
        cmd.getErr().println("casq: a job with key '" + key + "' exists already; nothing pushed");
        cmd.getErr().flush();
      }
    }
    return 0;
  }
}
