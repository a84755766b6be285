package dev.casq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.Schedule;
import dev.casq.api.ScheduleInfo;
import dev.casq.client.CasqClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code casq schedules put|list|delete}: a queue's recurring schedules, through its broker. */
@Command(
    name = "schedules",
    aliases = {"schedule"},
    header = "Put, list and delete a queue's recurring schedules.",
    description =
        "A schedule pushes a job each time it fires: on a cron expression read in a time zone,"
            + " or at a fixed interval. The queue object holds the schedules; the active broker"
            + " pushes each fire once.",
    subcommands = {
      SchedulesCommand.Put.class,
      SchedulesCommand.ListSchedules.class,
      SchedulesCommand.Delete.class
    })
final class SchedulesCommand implements Callable<Integer> {
  @ParentCommand CasqCommand parent;
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "give a subcommand: put, list or delete");
  }

  /** {@code casq schedules put NAME (--cron EXPR [--zone Z] | --every DURATION) PAYLOAD}. */
  @Command(
      name = "put",
      aliases = {"add"},
      header = "Create or replace a schedule and print its next fire time.",
      description =
          "Putting the schedule the queue already holds changes nothing (its next fire stays).")
  static final class Put implements Callable<Integer> {
    @ParentCommand SchedulesCommand schedules;
    @Spec CommandSpec spec;
    @Mixin HelpOption help = new HelpOption();
    @Mixin ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "1-128 of A-Z a-z 0-9 . _ -")
    String name;

    @Parameters(
        index = "1",
        paramLabel = "PAYLOAD",
        description = "The payload (JSON) of each job.")
    String payload;

    @Option(
        names = "--cron",
        paramLabel = "EXPR",
        description =
            "5 fields (minute hour day month weekday) or 6 (second first), e.g. '30 2 * * *',"
                + " or @daily, @hourly...")
    String cron;

    @Option(
        names = "--zone",
        paramLabel = "ZONE",
        description = "Time zone of --cron, e.g. Europe/Berlin. Default UTC.")
    String zone;

    @Option(
        names = "--every",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "A fixed interval instead of --cron, e.g. 30s, 10m, 1h.")
    Duration every;

    @Option(names = "--type", paramLabel = "TYPE", description = "Type of each job.")
    String type;

    @Option(names = "--priority", paramLabel = "P", description = "Priority of each job.")
    int priority;

    @Option(
        names = "--max-attempts",
        paramLabel = "N",
        description = "Attempts of each job (default: the queue's).")
    Integer maxAttempts;

    @Option(
        names = "--misfire",
        paramLabel = "RULE",
        description =
            "fire-once (default): after downtime push one job for the missed fires; skip: push"
                + " none for fires more than 60s late.")
    String misfire;

    @Override
    public Integer call() throws Exception {
      CommandLine cmd = spec.commandLine();
      client.check(cmd, schedules.parent.env());
      Schedule schedule;
      try {
        if ((cron == null) == (every == null)) {
          throw new InvalidRequestException("give --cron or --every (one of them)");
        }
        if (every != null && zone != null) {
          throw new InvalidRequestException("--zone goes with --cron");
        }
        Schedule.Misfire rule =
            misfire == null
                ? null
                : switch (misfire) {
                  case "fire-once" -> Schedule.Misfire.FIRE_ONCE;
                  case "skip" -> Schedule.Misfire.SKIP;
                  default ->
                      throw new InvalidRequestException(
                          "--misfire must be fire-once or skip, got '" + misfire + "'");
                };
        schedule =
            new Schedule(
                name,
                cron,
                every,
                zone == null ? null : Schedule.zone(zone),
                payload,
                type,
                priority,
                maxAttempts,
                rule);
      } catch (InvalidRequestException e) {
        throw new CommandLine.ParameterException(cmd, e.getMessage());
      }
      try (CasqClient c = client.build(cmd, schedules.parent.env(), null)) {
        ScheduleInfo info = c.queue(JsonNode.class).putSchedule(schedule);
        PrintWriter out = cmd.getOut();
        out.printf("schedule %s: %s%n", name, when(info.schedule()));
        out.printf("next fire %s%n", next(info));
        out.flush();
      }
      return 0;
    }
  }

  /** {@code casq schedules list}. */
  @Command(
      name = "list",
      aliases = {"ls"},
      header = "List a queue's schedules with their next fire times.")
  static final class ListSchedules implements Callable<Integer> {
    @ParentCommand SchedulesCommand schedules;
    @Spec CommandSpec spec;
    @Mixin HelpOption help = new HelpOption();
    @Mixin ClientOptions client = new ClientOptions();

    @Override
    public Integer call() throws Exception {
      CommandLine cmd = spec.commandLine();
      client.check(cmd, schedules.parent.env());
      try (CasqClient c = client.build(cmd, schedules.parent.env(), null)) {
        List<ScheduleInfo> all = c.queue(JsonNode.class).schedules();
        PrintWriter out = cmd.getOut();
        if (all.isEmpty()) {
          out.println("no schedules");
        } else {
          out.printf("%-24s %-36s %-42s %s%n", "NAME", "WHEN", "NEXT FIRE", "LAST JOB");
          for (ScheduleInfo i : all) {
            out.printf(
                "%-24s %-36s %-42s %s%n",
                i.schedule().name(),
                when(i.schedule()),
                next(i),
                i.lastJobId() == null ? "-" : i.lastJobId() + " at " + i.lastFireAt());
          }
        }
        out.flush();
      }
      return 0;
    }
  }

  /** {@code casq schedules delete NAME}. */
  @Command(
      name = "delete",
      aliases = {"remove", "rm"},
      header = "Delete a schedule (the jobs it pushed stay); exit 1 when there is none.")
  static final class Delete implements Callable<Integer> {
    @ParentCommand SchedulesCommand schedules;
    @Spec CommandSpec spec;
    @Mixin HelpOption help = new HelpOption();
    @Mixin ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "The schedule's name.")
    String name;

    @Override
    public Integer call() throws Exception {
      CommandLine cmd = spec.commandLine();
      client.check(cmd, schedules.parent.env());
      try (CasqClient c = client.build(cmd, schedules.parent.env(), null)) {
        boolean deleted = c.queue(JsonNode.class).deleteSchedule(name);
        if (!deleted) {
          cmd.getErr().printf("casq: no schedule named %s%n", name);
          cmd.getErr().flush();
          return 1;
        }
        cmd.getOut().printf("deleted schedule %s%n", name);
        cmd.getOut().flush();
      }
      return 0;
    }
  }

  static String when(Schedule s) {
    return s.cron() != null
        ? "cron '" + s.cron() + "' in " + s.zone().getId()
        : "every " + s.every().toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  static String next(ScheduleInfo i) {
    Instant at = i.nextFireAt();
    if (at == null) {
      return "never (the expression matches no later date)";
    }
    ZoneId zone = i.schedule().zone();
    return zone.equals(java.time.ZoneOffset.UTC)
        ? at.toString()
        : at + " (" + at.atZone(zone).toLocalDateTime() + " " + zone.getId() + ")";
  }
}
