package dev.casq.it.chaos;

import dev.casq.broker.CasqBroker;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerActiveException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A broker process that starts on a signal, so that two of them can race for one queue object at
 * the same instant: the JVM warms up, prints {@code READY}, waits for a line {@code go} on its
 * standard input, then starts a {@link CasqBroker}.
 *
 * <p>Arguments: {@code storeUri brokerId heartbeat staleAfter standby(true|false)}. Output: {@code
 * SERVING <id> <address> <epoch>} once it serves; {@code REFUSED <message>} and exit code 3 when
 * another broker holds the queue; {@code STANDBY <id> <address>} when it waits as a standby (then
 * {@code SERVING ...} when it takes over). End of input closes the broker and exits 0.
 */
public final class ChaosBrokerMain {
  private ChaosBrokerMain() {}

  public static void main(String[] args) throws Exception {
    String storeUri = args[0];
    String id = args[1];
    Duration heartbeat = Duration.parse(args[2]);
    Duration staleAfter = Duration.parse(args[3]);
    boolean standby = Boolean.parseBoolean(args[4]);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    CasqBroker broker =
        CasqBroker.builder()
            .queue(storeUri)
            .listen("127.0.0.1", 0)
            .brokerId(id)
            .heartbeatInterval(heartbeat)
            .staleAfter(staleAfter)
            .standby(standby)
            .standbyPollInterval(Duration.ofMillis(100))
            .probeTimeout(Duration.ofMillis(500))
            .build();
    ChaosClients.say("READY");
    for (String s; (s = in.readLine()) != null && !s.trim().equals("go"); ) {
      // wait for the signal
    }
    if (standby) {
      ChaosClients.say("STANDBY " + id);
    }
    try {
      broker.start();
    } catch (BrokerActiveException e) {
      ChaosClients.say("REFUSED " + e.getMessage().replace('\n', ' '));
      System.exit(3);
    }
    String queue = broker.queueNames().get(0);
    BrokerRecord r = broker.broker(queue).orElseThrow();
    ChaosClients.say(
        "SERVING "
            + r.id()
            + " "
            + r.address()
            + " "
            + r.epoch()
            + " "
            + System.currentTimeMillis());
    while (in.readLine() != null) {
      // serve until end of input
    }
    broker.close();
    System.exit(0);
  }
}
