package dev.casq.it.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.client.ClientQueue;
import java.util.List;

/**
 * A client process with several pushing clients (one {@code CasqClient} each, threads of one JVM).
 * Each pushes {@code {"p":"<tag>-<client>-<n>"}} one at a time until told to stop or until it has
 * pushed {@code max} jobs.
 *
 * <p>Arguments: {@code storeUri tag threads max [clients]}: {@code threads} pushing threads sharing
 * {@code clients} clients (default: one client per thread). Output lines:
 *
 * <ul>
 *   <li>{@code READY}
 *   <li>{@code ACK <payload> <jobId> <millis>}: the broker acknowledged the push (it is durable)
 *   <li>{@code PFAIL <payload> <error>}: the push gave up (it may or may not exist)
 *   <li>{@code HOSTS <client> <address> <millis>}: that client started a broker in this process
 *   <li>{@code STOPPED <client> <acknowledged>}; {@code CLOSED <hosts>} at the end
 * </ul>
 *
 * Input: a line {@code stop} stops pushing; end of input closes the clients and exits.
 */
public final class ChaosPusherMain {
  private ChaosPusherMain() {}

  public static void main(String[] args) throws Exception {
    String storeUri = args[0];
    String tag = args[1];
    int n = Integer.parseInt(args[2]);
    int max = Integer.parseInt(args[3]);
    List<String> tags =
        ChaosClients.clientTags(tag, args.length > 4 ? Integer.parseInt(args[4]) : n);
    try (ChaosClients clients = new ChaosClients(storeUri, tags)) {
      clients.runThreads("push", tag, n, (q, t) -> push(q, t, max, clients));
    }
    System.exit(0);
  }

  private static void push(ClientQueue<JsonNode> q, String tag, int max, ChaosClients clients) {
    int acked = 0;
    for (int i = 0; i < max && clients.stop.getCount() > 0; i++) {
      String payload = tag + "-" + i;
      try {
        PushResult r = q.pushJson("{\"p\":\"" + payload + "\"}", PushOptions.none());
        acked++;
        ChaosClients.say("ACK " + payload + " " + r.jobId() + " " + System.currentTimeMillis());
      } catch (RuntimeException e) {
        ChaosClients.say("PFAIL " + payload + " " + oneLine(e));
      }
    }
    ChaosClients.say("STOPPED " + tag + " " + acked);
  }

  static String oneLine(Throwable e) {
    return (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
  }
}
