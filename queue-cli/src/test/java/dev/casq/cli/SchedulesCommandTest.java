package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.ScheduleInfo;
import dev.casq.broker.CasqBroker;
import dev.casq.client.CasqClient;
import dev.casq.client.TakeoverPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code casq schedules put|list|delete} against a real broker on a file:// store. */
class SchedulesCommandTest {
  @TempDir Path dir;
  private String store;
  private CasqBroker broker;

  @BeforeEach
  void start() {
    store = dir.resolve("reports.json").toUri().toString();
    broker =
        CasqBroker.builder()
            .queue(store)
            .listen("127.0.0.1", 0)
            .storeProperties(Map.of("file.fsync", "false"))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private List<ScheduleInfo> held() {
    try (CasqClient c =
        CasqClient.builder().storeUri(store).takeover(TakeoverPolicy.NONE).build()) {
      return c.queue(JsonNode.class).schedules();
    }
  }

  @Test
  void putListAndDeleteASchedule() {
    Cli.Result put =
        Cli.run(
            "schedules",
            "put",
            "nightly",
            "--store",
            store,
            "--cron",
            "30 2 * * *",
            "--zone",
            "Europe/Berlin",
            "--type",
            "report",
            "--max-attempts",
            "2",
            "--misfire",
            "skip",
            "{\"report\": \"daily\"}");
    assertThat(put.exit()).as(put.err()).isZero();
    assertThat(put.out())
        .contains("schedule nightly: cron '30 2 * * *' in Europe/Berlin")
        .contains("next fire ")
        .contains("T02:30 Europe/Berlin");
    ScheduleInfo info = held().get(0);
    assertThat(info.schedule().payloadJson()).isEqualTo("{\"report\": \"daily\"}");
    assertThat(info.schedule().type()).isEqualTo("report");
    assertThat(info.schedule().maxAttempts()).isEqualTo(2);

    Cli.Result add = Cli.run("schedule", "add", "tick", "--store", store, "--every", "10m", "{}");
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(add.out()).contains("schedule tick: every 10m");

    Cli.Result list = Cli.run("schedules", "list", "--store", store);
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out()).contains("NEXT FIRE").contains("nightly").contains("tick");

    Cli.Result delete = Cli.run("schedules", "delete", "nightly", "--store", store);
    assertThat(delete.exit()).as(delete.err()).isZero();
    assertThat(delete.out()).contains("deleted schedule nightly");
    Cli.Result again = Cli.run("schedule", "remove", "nightly", "--store", store);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("no schedule named nightly");
    assertThat(held()).extracting(i -> i.schedule().name()).containsExactly("tick");
  }

  @Test
  void badValuesAreUsageErrorsAndChangeNothing() {
    for (String[] args :
        new String[][] {
          {"schedules", "put", "x", "--store", store, "{}"},
          {"schedules", "put", "x", "--store", store, "--cron", "* * * * *", "--every", "5s", "{}"},
          {"schedules", "put", "x", "--store", store, "--cron", "* * *", "{}"},
          {
            "schedules",
            "put",
            "x",
            "--store",
            store,
            "--cron",
            "0 9 * * *",
            "--zone",
            "Mars/X",
            "{}"
          },
          {"schedules", "put", "x y", "--store", store, "--every", "5s", "{}"},
          {"schedules", "put", "x", "--store", store, "--every", "5s", "--misfire", "later", "{}"}
        }) {
      Cli.Result r = Cli.run(args);
      assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
    }
    Cli.Result badCron =
        Cli.run("schedules", "put", "x", "--store", store, "--cron", "61 * * * *", "{}");
    assertThat(badCron.exit()).isEqualTo(1);
    assertThat(badCron.err()).contains("invalid cron expression '61 * * * *'");
    assertThat(held()).isEmpty();
  }
}
