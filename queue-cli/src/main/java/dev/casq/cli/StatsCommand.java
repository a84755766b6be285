package dev.casq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.casq.client.BrokerUnavailableException;
import dev.casq.client.CasqClient;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.QueuePolicy;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.QueueStateMachine;
import dev.casq.core.internal.StateCodec;
import dev.casq.core.internal.Tokens;
import dev.casq.election.QueueNames;
import dev.casq.election.ResignBrokerCommand;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code casq stats}: counts and counters of a queue, from its broker or from storage. */
@Command(
    name = "stats",
    header = "Print a queue's counts and counters.",
    description =
        "Prints the queue's counts (ready, scheduled, leased...) and counters, asked of its"
            + " broker. When no broker is alive (none recorded, stale heartbeat, or no answer"
            + " within --deadline, here 5s by default) and a store is given, they are computed"
            + " from the state object read directly from storage; nothing is written and no"
            + " broker is started (--takeover defaults to none here).")
final class StatsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @ParentCommand CasqCommand parent;
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();
  @Mixin ClientOptions client = new ClientOptions();

  @Option(names = "--json", description = "Print JSON (the broker API's stats fields).")
  boolean json;

  /** What stats does by default, unlike the other client commands. */
  static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);

  static final String DEFAULT_TAKEOVER = "none";

  /**
   * Makes the help of {@code stats} tell its own defaults of the client options it shares with push
   * and work ({@link #DEFAULT_DEADLINE}, {@link #DEFAULT_TAKEOVER}).
   */
  static void describeDefaults(CommandLine stats) {
    CommandSpec spec = stats.getCommandSpec();
    describe(
        spec,
        "--deadline",
        "How long asking the broker may take, retries included; past"
            + " it the stats are computed from storage. Default: "
            + DEFAULT_DEADLINE.toSeconds()
            + "s.");
    describe(
        spec,
        "--takeover",
        "When the broker is dead (no answer, stale heartbeat) or none"
            + " runs: none (read the state object from storage, the default here), wait, or"
            + " in-process (start a broker in this process).");
  }

  private static void describe(CommandSpec spec, String option, String description) {
    CommandLine.Model.OptionSpec old = spec.findOption(option);
    spec.remove(old);
    spec.addOption(CommandLine.Model.OptionSpec.builder(old).description(description).build());
  }

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    client.check(cmd, parent.env());
    if (client.deadline == null) {
      client.deadline = DEFAULT_DEADLINE;
    }
    if (client.takeover == null) {
      client.takeover = DEFAULT_TAKEOVER;
    }
    dev.casq.api.QueueStats stats;
    String source;
    String uri = client.broker == null ? client.storeOptions.resolve(parent.env()) : null;
    String name =
        client.queue != null ? client.queue : uri != null ? QueueNames.defaultName(uri) : null;
    if (uri != null) {
      String noBroker = noLiveBroker(uri);
      if (noBroker != null) {
        print(cmd.getOut(), name, fromStorage(uri), "storage (" + noBroker + ")");
        return 0;
      }
    }
    try (CasqClient c = client.build(cmd, parent.env(), TakeoverPolicy.NONE)) {
      try {
        stats = c.queue(JsonNode.class).stats();
        name = c.queueName();
        source = "broker " + c.currentBroker().orElse("?");
      } catch (BrokerUnavailableException e) {
        if (uri == null) {
          throw e;
        }
        stats = fromStorage(uri);
        source = "storage (no broker answered: " + e.getMessage() + ")";
      }
    }
    print(cmd.getOut(), name, stats, source);
    return 0;
  }

  /** Why no broker can answer (none recorded, or its heartbeat is stale); null if one may. */
  private String noLiveBroker(String uri) {
    return LiveBrokerCheck.whyNone(
        uri, client.storeOptions.properties, client.staleAfter(spec.commandLine(), parent.env()));
  }

  private dev.casq.api.QueueStats fromStorage(String uri) {
    byte[] bytes = InspectCommand.read(uri, client.storeOptions.properties);
    QueueState state = StateCodec.decode(bytes);
    return new QueueStateMachine(QueuePolicy.defaults(), Tokens.secure())
        .stats(state, Instant.now())
        .toApi();
  }

  private void print(PrintWriter out, String name, dev.casq.api.QueueStats s, String source)
      throws Exception {
    if (json) {
      ObjectNode n = JSON.createObjectNode();
      n.put("queue", name)
          .put("revision", s.revision())
          .put("ready", s.ready())
          .put("scheduled", s.scheduled())
          .put("leased", s.leased())
          .put("pending", s.pending())
          .put("finishedPendingArchive", s.finishedPendingArchive());
      dev.casq.api.QueueStats.Counters c = s.counters();
      n.putObject("counters")
          .put("pushed", c.pushed())
          .put("claimed", c.claimed())
          .put("completed", c.completed())
          .put("failed", c.failed())
          .put("dead", c.dead())
          .put("expired", c.expired())
          .put("cancelled", c.cancelled())
          .put("archived", c.archived());
      if (s.broker() != null) {
        dev.casq.api.QueueStats.Broker b = s.broker();
        n.putObject("broker")
            .put("id", b.id())
            .put("address", b.address())
            .put("epoch", b.epoch())
            .put("heartbeatAt", b.heartbeatAt().toString());
      } else {
        n.putNull("broker");
      }
      n.put("updatedAt", s.updatedAt() == null ? null : s.updatedAt().toString());
      n.put("source", source.startsWith("storage") ? "storage" : "broker");
      out.println(JSON.writeValueAsString(n));
      out.flush();
      return;
    }
    dev.casq.api.QueueStats.Counters c = s.counters();
    out.printf("queue      %s%n", name);
    out.printf("source     %s%n", source);
    if (s.broker() != null) {
      dev.casq.api.QueueStats.Broker b = s.broker();
      String beat;
      if (b.heartbeatAt().equals(ResignBrokerCommand.RESIGNED)) {
        beat = "resigned";
      } else {
        long ago = Math.max(0, Duration.between(b.heartbeatAt(), Instant.now()).toMillis());
        beat = "heartbeat " + (ago < 10_000 ? ago + "ms" : ago / 1000 + "s") + " ago";
      }
      out.printf("broker     %s at %s (epoch %d, %s)%n", b.id(), b.address(), b.epoch(), beat);
    } else {
      out.printf("broker     none recorded%n");
    }
    out.printf(
        "revision   %d%s%n",
        s.revision(), s.updatedAt() == null ? "" : " (updated " + s.updatedAt() + ")");
    out.printf("ready      %d%n", s.ready());
    out.printf("scheduled  %d%n", s.scheduled());
    out.printf("leased     %d%n", s.leased());
    out.printf("pending    %d%n", s.pending());
    out.printf("finished   %d (not yet archived)%n", s.finishedPendingArchive());
    out.printf(
        "counters   pushed %d, claimed %d, completed %d, failed %d, dead %d, expired %d,"
            + " cancelled %d, archived %d%n",
        c.pushed(),
        c.claimed(),
        c.completed(),
        c.failed(),
        c.dead(),
        c.expired(),
        c.cancelled(),
        c.archived());
    out.flush();
  }
}
