package dev.casq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.client.CasqClient;
import dev.casq.client.TakeoverPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description = "Idempotency key: pushes with the same key create one job.")
  String key;

  @Option(
      names = "--priority",
      paramLabel = "P",
      description = "Higher runs first (-1000000 to 1000000). Default 0.")
  Integer priority;

  @Option(
      names = "--delay",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Do not run before now + DURATION, e.g. 30s, 5m.")
  Duration delay;

  @Option(
      names = "--run-at",
      paramLabel = "INSTANT",
      description = "Do not run before this ISO-8601 instant, e.g. 2030-01-01T00:00:00Z.")
  String runAt;

  @Option(names = "--type", paramLabel = "TYPE", description = "Job type workers may filter on.")
  String type;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      description = "Attempts before the job goes dead. Default: the queue's (5).")
  Integer maxAttempts;

  @Parameters(
      index = "0",
      paramLabel = "JSON",
      arity = "0..1",
      description =
          "The payload: one JSON value, e.g. '{\"to\":\"ada@example.com\"}'; '-' reads"
              + " it from stdin. Not with --file.")
  String json;

  @Option(
      names = "--file",
      paramLabel = "FILE",
      description =
          "Push one job per line of this JSON-lines file (1000 per request): a line is"
              + " a payload, or a push request {\"payload\": ..., \"key\", \"priority\","
              + " \"delay\", \"runAt\", \"type\", \"maxAttempts\"} (see --lines). Every line is"
              + " checked first: a bad line is reported by number and nothing is pushed. Progress"
              + " goes to stderr.")
  Path file;

  @Option(
      names = "--lines",
      paramLabel = "auto|payload|request",
      defaultValue = "auto",
      description =
          "With --file, how lines are read: auto (an object with \"payload\" and only"
              + " push-request fields is a request, anything else a payload), payload (every line"
              + " is a payload) or request (every line must be a request). Default: ${DEFAULT-VALUE}.")
  PushLine.Format lines;

  @Option(
      names = "--from-line",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "With --file, start at line N (to push the rest after a failure)."
              + " Default: ${DEFAULT-VALUE}.")
  long fromLine;

  @Option(
      names = "--key-prefix",
      paramLabel = "PREFIX",
      description =
          "With --file, a line without a \"key\" of its own gets the key"
              + " PREFIX<line number>: a request retried after a lost answer, or a second run with the"
              + " same prefix, never pushes a line twice (while the key is remembered). Costs the"
              + " broker memory and start time for each pending job with a key. Default: lines"
              + " without a key are pushed without one.")
  String keyPrefix;

  @Option(
      names = "--in-flight",
      paramLabel = "N",
      defaultValue = "8",
      description =
          "With --file, batch requests of 1000 jobs in flight at once."
              + " Default: ${DEFAULT-VALUE}.")
  int inFlight;

  InputStream stdin = System.in;

  @Override
  public Integer call() throws IOException {
    CommandLine cmd = spec.commandLine();
    // SIGTERM / Ctrl-C: the push finishes (within --deadline), then closing the client drains and
    // resigns the broker it may host in this process
    parent.stopSignal().onRequest(() -> {});
    client.check(cmd, parent.env());
    if (delay != null && runAt != null) {
      throw new CommandLine.ParameterException(cmd, "give --delay or --run-at, not both");
    }
    PushOptions o = PushOptions.none();
    if (key != null) {
      if (file != null) {
        throw new CommandLine.ParameterException(
            cmd,
            "--key names one job; with --file give each"
                + " line its own \"key\" (or use --key-prefix)");
      }
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
        throw new CommandLine.ParameterException(
            cmd,
            "--run-at '" + runAt + "' is not an ISO-8601 instant such as 2030-01-01T00:00:00Z");
      }
    }
    if (type != null) {
      o = o.type(type);
    }
    if (maxAttempts != null) {
      o = o.maxAttempts(maxAttempts);
    }
    if (file != null) {
      return pushFile(cmd, o);
    }
    for (String fileOnly : new String[] {"--lines", "--from-line", "--key-prefix", "--in-flight"}) {
      if (cmd.getParseResult().hasMatchedOption(fileOnly)) {
        throw new CommandLine.ParameterException(cmd, fileOnly + " goes with --file");
      }
    }
    if (json == null) {
      throw new CommandLine.ParameterException(
          cmd, "Missing required parameter: 'JSON' (the job's payload), or --file FILE");
    }
    String payload =
        "-".equals(json) ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8).trim() : json;
    requireLiveBrokerWithoutTakeover(cmd);
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

  private int pushFile(CommandLine cmd, PushOptions defaults) throws IOException {
    if (json != null) {
      throw new CommandLine.ParameterException(cmd, "give a JSON payload or --file, not both");
    }
    if (fromLine < 1) {
      throw new CommandLine.ParameterException(cmd, "--from-line must be 1 or more");
    }
    if (inFlight < 1 || inFlight > 64) {
      throw new CommandLine.ParameterException(cmd, "--in-flight must be 1..64");
    }
    String prefix = keyPrefix;
    if (prefix != null
        && (prefix.isBlank() || prefix.length() + 19 > dev.casq.core.QueuePolicy.MAX_KEY_LENGTH)) {
      throw new CommandLine.ParameterException(
          cmd,
          "--key-prefix must be 1 to "
              + (dev.casq.core.QueuePolicy.MAX_KEY_LENGTH - 19)
              + " characters");
    }
    BulkPush bulk =
        new BulkPush(
            file,
            new BulkPush.Settings(lines, defaults, fromLine, prefix, inFlight),
            cmd.getErr(),
            progress.apply(cmd.getErr()));
    long total = bulk.check();
    requireLiveBrokerWithoutTakeover(cmd);
    BulkPush.Summary s;
    try (CasqClient c = client.build(cmd, parent.env(), null)) {
      s = bulk.push(c.queue(JsonNode.class), total);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    cmd.getErr()
        .printf(
            "casq: %,d jobs pushed from %s in %.1f s (%,.0f jobs/s)%s%s%n",
            s.pushed(),
            file,
            s.seconds(),
            s.seconds() > 0 ? s.pushed() / s.seconds() : 0.0,
            s.duplicates() > 0
                ? String.format(", %,d of them already there (same key)", s.duplicates())
                : "",
            s.refused() > 0 ? String.format("; %,d lines refused", s.refused()) : "");
    cmd.getErr().flush();
    return s.refused() > 0 ? 1 : 0;
  }

  /**
   * With {@code --takeover none} and a store, fails at once when the broker record says no broker
   * is alive (none recorded, resigned, stale heartbeat) instead of retrying until --deadline.
   */
  private void requireLiveBrokerWithoutTakeover(CommandLine cmd) {
    if (client.takeover == null
        || client.broker != null
        || ClientOptions.parseTakeover(cmd, client.takeover) != TakeoverPolicy.NONE) {
      return;
    }
    String uri = client.storeOptions.resolve(parent.env());
    if (uri == null) {
      return; // the client reports the missing queue
    }
    String why =
        LiveBrokerCheck.whyNone(
            uri, client.storeOptions.properties, client.staleAfter(cmd, parent.env()));
    if (why != null) {
      throw new CliException(
          "no live broker for "
              + uri
              + " ("
              + why
              + ") and --takeover none:"
              + " nothing pushed; start one with `casq broker`, or use --takeover in-process or wait");
    }
  }

  /** The progress display; tests replace it. */
  java.util.function.Function<java.io.PrintWriter, BulkPush.Progress> progress =
      err -> new ProgressLine(err, System.console() != null);
}
