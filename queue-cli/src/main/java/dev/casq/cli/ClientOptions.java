package dev.casq.cli;

import dev.casq.client.CasqClient;
import dev.casq.client.RetryPolicy;
import dev.casq.client.TakeoverPolicy;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a client command reaches its queue: a store URI (usual) or an explicit broker. */
final class ClientOptions {
  @Mixin StoreOptions storeOptions = new StoreOptions();

  @Option(
      names = "--broker",
      paramLabel = "URL",
      description =
          "Talk to this broker (e.g. http://10.0.0.5:8080) instead of finding it in the"
              + " store; needs --queue. Default: $CASQ_BROKER when no store is given.")
  String broker;

  @Option(
      names = "--queue",
      paramLabel = "NAME",
      description =
          "Queue name on the broker. Default: the store object's file name without" + " .json.")
  String queue;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "Bearer token of the broker. Default: $CASQ_TOKEN.")
  String token;

  @Option(
      names = "--takeover",
      paramLabel = "POLICY",
      description =
          "When the broker is dead (no answer, stale heartbeat) or none runs:"
              + " in-process (start one in this process, the default), wait, or none.")
  String takeover;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long one request may take, retries and failover included. Default: 30s.")
  Duration deadline;

  @Option(
      names = "--stale-after",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Heartbeat age after which a silent broker counts as dead, for a broker record"
              + " that does not declare its own (brokers declare theirs and that is used). Default:"
              + " $CASQ_CLIENT_STALE_AFTER, else 10s.")
  Duration staleAfter;

  @Option(
      names = "--shutdown-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long a broker this command hosts (none was alive, --takeover in-process)"
              + " gets to finish its writes and resign the queue when the command stops (SIGTERM or"
              + " done). Default: 10s.")
  Duration shutdownTimeout;

  /** Environment variable of the default of {@code --stale-after}. */
  static final String STALE_AFTER_ENV = "CASQ_CLIENT_STALE_AFTER";

  /**
   * Checks the values given (--takeover, --shutdown-timeout, --stale-after or its environment
   * variable) without any I/O: a command calls it first, so that an invalid value exits 2 before
   * anything is read or sent.
   */
  void check(CommandLine cmd, Map<String, String> env) {
    if (takeover != null) {
      parseTakeover(cmd, takeover);
    }
    if (shutdownTimeout != null && (shutdownTimeout.isNegative() || shutdownTimeout.isZero())) {
      throw new CommandLine.ParameterException(
          cmd, "invalid --shutdown-timeout: must be positive, got " + shutdownTimeout);
    }
    Duration stale = staleAfter(cmd, env);
    Duration least =
        dev.casq.election.ElectionOptions.MIN_HEARTBEAT_INTERVAL.multipliedBy(
            dev.casq.election.ElectionOptions.MIN_HEARTBEATS_PER_STALE);
    if (stale != null && stale.compareTo(least) < 0) {
      throw new CommandLine.ParameterException(
          cmd, "invalid --stale-after: must be at least " + least.toMillis() + "ms, got " + stale);
    }
  }

  /** Builds the client; usage errors become picocli parameter errors (exit 2). */
  CasqClient build(CommandLine cmd, Map<String, String> env, TakeoverPolicy defaultPolicy) {
    String brokerUrl = broker != null ? broker : null;
    String store = brokerUrl == null ? storeOptions.resolve(env) : storeOptions.store;
    if (brokerUrl == null && store == null) {
      String eb = env.get("CASQ_BROKER");
      if (eb != null && !eb.isBlank()) {
        brokerUrl = eb.trim();
      }
    }
    if (brokerUrl == null && store == null) {
      throw new CommandLine.ParameterException(
          cmd, "no queue given: use --store URI (or set CASQ_STORE), or --broker URL with --queue");
    }
    if (brokerUrl != null && store != null) {
      throw new CommandLine.ParameterException(cmd, "give --store or --broker, not both");
    }
    CasqClient.Builder b = CasqClient.builder();
    if (store != null) {
      b.storeUri(store).storeProperties(storeOptions.properties);
    } else {
      b.brokerUrl(brokerUrl);
    }
    if (queue != null) {
      b.queueName(queue);
    }
    String t = token != null ? token : env.get("CASQ_TOKEN");
    if (t != null && !t.isBlank()) {
      b.token(t.trim());
    }
    if (takeover != null) {
      b.takeover(parseTakeover(cmd, takeover));
    } else if (defaultPolicy != null && store != null) {
      b.takeover(defaultPolicy);
    }
    if (deadline != null) {
      b.retry(RetryPolicy.defaults().withDeadline(deadline));
    }
    if (shutdownTimeout != null) {
      if (shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
        throw new CommandLine.ParameterException(
            cmd, "invalid --shutdown-timeout: must be positive, got " + shutdownTimeout);
      }
      b.inProcessShutdownTimeout(shutdownTimeout);
    }
    Duration stale = staleAfter(cmd, env);
    if (stale != null) {
      b.staleAfter(stale);
    }
    try {
      return b.build();
    } catch (dev.casq.api.InvalidRequestException e) {
      if (stale != null && e.getMessage().contains("stale-after")) {
        throw new CommandLine.ParameterException(cmd, "invalid --stale-after: " + e.getMessage());
      }
      throw e;
    }
  }

  /**
   * {@code --stale-after}, else {@code $CASQ_CLIENT_STALE_AFTER}; null when neither is given (the
   * client's default applies).
   */
  Duration staleAfter(CommandLine cmd, Map<String, String> env) {
    if (staleAfter != null) {
      return staleAfter;
    }
    String fromEnv = env.get(STALE_AFTER_ENV);
    if (fromEnv == null || fromEnv.isBlank()) {
      return null;
    }
    try {
      return new DurationConverter().convert(fromEnv.trim());
    } catch (CommandLine.TypeConversionException e) {
      throw new CommandLine.ParameterException(
          cmd, "invalid $" + STALE_AFTER_ENV + ": " + e.getMessage());
    }
  }

  static TakeoverPolicy parseTakeover(CommandLine cmd, String s) {
    switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "in-process":
      case "in_process":
        return TakeoverPolicy.IN_PROCESS;
      case "wait":
        return TakeoverPolicy.WAIT;
      case "none":
        return TakeoverPolicy.NONE;
      default:
        throw new CommandLine.ParameterException(
            cmd, "invalid --takeover '" + s + "': expected in-process, wait or none");
    }
  }
}
