package dev.casq.cli;

import dev.casq.broker.CasqBroker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code casq broker}: runs a broker until SIGTERM / Ctrl-C. */
@Command(
    name = "broker",
    header = "Serve queues over HTTP until stopped.",
    description =
        "Serves one or more queues over HTTP until SIGTERM or Ctrl-C, then resigns them so the"
            + " next broker takes over at once. Prints the address it records in the queue"
            + " objects. Fails when a live broker holds a queue, unless --standby (then it waits"
            + " until that broker is gone and takes over).")
final class BrokerCommand implements Callable<Integer> {
  /** How long a standby warms its request path at most, unless told otherwise. */
  static final Duration DEFAULT_STANDBY_WARMUP = Duration.ofSeconds(20);

  private static final Pattern NAMED =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,127})=(.+://.*)");

  @ParentCommand CasqCommand parent;
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();

  @Option(
      names = "--store",
      paramLabel = "[NAME=]URI",
      description =
          "A queue to serve (repeatable), named after its object's file name without"
              + " .json unless NAME= is given. Default: $CASQ_STORE.")
  List<String> stores = new ArrayList<>();

  @Option(
      names = "--store-property",
      paramLabel = "KEY=VALUE",
      description = "A store property for every queue (repeatable), e.g. s3.endpoint=URL.")
  Map<String, String> storeProperties = new LinkedHashMap<>();

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description =
          "Where to listen. Default: $CASQ_LISTEN, else 127.0.0.1:8420. Port 0 picks a"
              + " free one.")
  String listen;

  @Option(
      names = "--advertise",
      paramLabel = "URL",
      description =
          "The address written into the queue objects for clients, e.g."
              + " http://10.0.0.5:8420. Default: $CASQ_ADVERTISE, else http://HOST:PORT of --listen.")
  String advertise;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "Bearer token every /v1 request must carry. Default: $CASQ_TOKEN (none if" + " unset).")
  String token;

  @Option(
      names = "--standby",
      description =
          "Wait for the current broker to die (stale heartbeat, no answer), then take"
              + " over, instead of failing.")
  boolean standby;

  @Option(
      names = "--standby-warmup",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "With --standby: how long at most to warm the request path while waiting (a"
              + " private in-memory or temporary queue in this process, never a served one; ended"
              + " at once by the takeover), so that the first seconds after a takeover are served"
              + " at near the warm rate. 0 for none. Default: $CASQ_BROKER_STANDBY_WARMUP, else"
              + " 20s.")
  Duration standbyWarmup;

  @Option(
      names = "--broker-id",
      paramLabel = "ID",
      description = "Unique id of this broker. Default: broker- and random hex digits.")
  String brokerId;

  @Option(
      names = "--heartbeat",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How often the broker record is refreshed. Default: 2s.")
  Duration heartbeat;

  @Option(
      names = "--stale-after",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Heartbeat age after which another broker may take over. Default: 10s.")
  Duration staleAfter;

  @Option(
      names = "--shutdown-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "On SIGTERM / Ctrl-C, how long draining (finishing the write in flight and"
              + " answering it), resigning every queue and stopping may take. Default: 10s.")
  Duration shutdownTimeout;

  @Option(
      names = "--handover",
      description =
          "Planned hand-over: when a live broker serves a queue, ask it (with the"
              + " token) to hand the queue over at a clean point, then serve it at once. The old"
              + " broker redirects late requests here until it is stopped.")
  boolean handover;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    List<String> uris = new ArrayList<>(stores);
    if (uris.isEmpty()
        && parent.env().get("CASQ_STORE") != null
        && !parent.env().get("CASQ_STORE").isBlank()) {
      uris.add(parent.env().get("CASQ_STORE").trim());
    }
    if (uris.isEmpty()) {
      throw new CommandLine.ParameterException(
          cmd, "no queue given: use --store URI (repeatable) or set CASQ_STORE");
    }
    CasqBroker.Builder b = CasqBroker.builder().properties(Map.of());
    for (String s : uris) {
      var m = NAMED.matcher(s.trim());
      if (m.matches()) {
        b.queue(m.group(1), m.group(2));
      } else {
        b.queue(s.trim());
      }
    }
    b.storeProperties(storeProperties);
    String l = listen != null ? listen : nonBlank(parent.env().get("CASQ_LISTEN"));
    if (l != null) {
      b.listen(l);
    }
    String a = advertise != null ? advertise : nonBlank(parent.env().get("CASQ_ADVERTISE"));
    if (a != null) {
      b.advertisedAddress(a);
    }
    String t = token != null ? token : parent.env().get("CASQ_TOKEN");
    if (t != null && !t.isBlank()) {
      b.token(t.trim());
    }
    if (brokerId != null) {
      b.brokerId(brokerId);
    }
    if (heartbeat != null) {
      b.heartbeatInterval(heartbeat);
    }
    if (staleAfter != null) {
      b.staleAfter(staleAfter);
    }
    b.standby(standby);
    if (standbyWarmup != null) {
      b.standbyWarmup(standbyWarmup);
    } else if (nonBlank(parent.env().get("CASQ_BROKER_STANDBY_WARMUP")) == null) {
      b.standbyWarmup(DEFAULT_STANDBY_WARMUP);
    }
    PrintWriter out = cmd.getOut();
    if (standby) {
      cmd.getErr().println("casq: standing by; taking over when the current broker is gone");
      cmd.getErr().flush();
    }
    if (shutdownTimeout != null) {
      b.shutdownTimeout(shutdownTimeout);
    }
    b.handover(handover);
    CasqBroker broker = b.build();
    StopSignal stop = parent.stopSignal();
    // a stop while starting (a standby waiting, a claim) ends the start at once
    stop.onRequest(broker::close);
    try {
      broker.start();
      out.printf(
          "casq broker %s serves %s at %s%n",
          broker.brokerId(), String.join(", ", broker.queueNames()), broker.address());
      out.printf(
          "  dashboard: %s/%n  metrics:   %s/metrics (Prometheus)%n",
          broker.address(), broker.address());
      out.flush();
      // after a hand-over it keeps redirecting late requests to the successor until stopped:
      // exiting by itself would make a supervisor restart it, and the restarted broker would
      // take the queues back
      try {
        stop.requested().get();
      } catch (InterruptedException e) {
        // asked to stop by an interrupt (embedding): close below drains and resigns
      }
    } catch (RuntimeException e) {
      if (!stop.isRequested()) {
        throw e;
      }
      // asked to stop while starting: a clean stop
    } finally {
      Thread.interrupted(); // an interrupt must not cut the resignation short
      broker.close(); // waits for a close already begun by the stop request
    }
    return 0;
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
