package dev.casq.it.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.ClaimRequest;
import dev.casq.api.LeasedJob;
import dev.casq.client.ClientQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A client process with several workers (one {@code CasqClient} each). Each long-polls for up to
 * {@code batch} jobs and completes them, with the lease token and its own id as the job's result,
 * so the queue object shows which lease completed each job.
 *
 * <p>Arguments: {@code storeUri tag workers lease batch [clients]}: {@code workers} threads sharing
 * {@code clients} clients (default: one client per worker). Output lines:
 *
 * <ul>
 *   <li>{@code READY}
 *   <li>{@code DONE <jobId> <leaseToken> <worker> <payload> <millis>}: the broker acknowledged the
 *       completion
 *   <li>{@code LOST <jobId> <leaseToken> <worker> <error>}: the completion was refused or gave up
 *   <li>{@code CLAIMFAIL <worker> <error>}
 *   <li>{@code HOSTS <worker> <address> <millis>}: that worker's client started a broker here
 *   <li>{@code STOPPED <worker> <completed>}; {@code CLOSED <hosts>} at the end
 * </ul>
 *
 * Input: a line {@code stop} stops claiming; end of input closes the clients and exits.
 */
public final class ChaosWorkerMain {
  private ChaosWorkerMain() {}

  public static void main(String[] args) throws Exception {
    String storeUri = args[0];
    String tag = args[1];
    int n = Integer.parseInt(args[2]);
    Duration lease = Duration.parse(args[3]);
    int batch = Integer.parseInt(args[4]);
    List<String> tags =
        ChaosClients.clientTags(tag, args.length > 5 ? Integer.parseInt(args[5]) : n);
    try (ChaosClients clients = new ChaosClients(storeUri, tags)) {
      clients.runThreads("work", tag, n, (q, t) -> work(q, t, lease, batch, clients));
    }
    System.exit(0);
  }

  private static void work(
      ClientQueue<JsonNode> q, String worker, Duration lease, int batch, ChaosClients clients) {
    ClaimRequest request = new ClaimRequest(worker, lease, batch, Set.of());
    int done = 0;
    while (clients.stop.getCount() > 0) {
      List<LeasedJob<JsonNode>> jobs;
      try {
        jobs = q.claim(request, Duration.ofSeconds(1));
      } catch (RuntimeException e) {
        ChaosClients.say("CLAIMFAIL " + worker + " " + ChaosPusherMain.oneLine(e));
        continue;
      }
      List<CompletableFuture<Void>> completions = new ArrayList<>();
      for (LeasedJob<JsonNode> job : jobs) {
        String payload = job.payload().path("p").asText();
        completions.add(
            q.completeAsync(job, Map.of("token", job.leaseToken(), "worker", worker))
                .whenComplete(
                    (v, error) -> {
                      if (error == null) {
                        ChaosClients.say(
                            "DONE "
                                + job.id()
                                + " "
                                + job.leaseToken()
                                + " "
                                + worker
                                + " "
                                + payload
                                + " "
                                + System.currentTimeMillis());
                      } else {
                        Throwable cause =
                            error instanceof CompletionException && error.getCause() != null
                                ? error.getCause()
                                : error;
                        ChaosClients.say(
                            "LOST "
                                + job.id()
                                + " "
                                + job.leaseToken()
                                + " "
                                + worker
                                + " "
                                + ChaosPusherMain.oneLine(cause));
                      }
                    }));
      }
      for (CompletableFuture<Void> f : completions) {
        try {
          f.join();
          done++;
        } catch (CompletionException e) {
          // reported above
        }
      }
    }
    ChaosClients.say("STOPPED " + worker + " " + done);
  }
}
