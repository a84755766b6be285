package dev.casq.sample;

import dev.casq.api.LeasedJob;
import dev.casq.spring.CasqHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/**
 * The sample's handlers, one per job type, in the two ways the starter takes them: a {@code
 * CasqHandler.of(...)} bean (emails) and a component implementing {@link CasqHandler} (reports).
 */
@Configuration(proxyBeanMethods = false)
public class Handlers {
  private static final Logger log = LoggerFactory.getLogger(Handlers.class);

  /**
   * Sends emails (here: logs and records them).
   *
   * @param handled where handled jobs are recorded
   * @return the handler of {@code email} jobs
   */
  @Bean
  public CasqHandler<Jobs.Email> emailHandler(HandledJobs handled) {
    return CasqHandler.of(
        Jobs.EMAIL,
        Jobs.Email.class,
        job -> {
          Jobs.Email email = job.payload();
          log.info("sending '{}' to {} (job {})", email.subject(), email.to(), job.id());
          handled.add(
              new Jobs.Handled(
                  job.id(), Jobs.EMAIL, "sent '" + email.subject() + "' to " + email.to()));
        });
  }

  /** Builds reports (here: logs and records them). */
  @Component
  public static class ReportHandler implements CasqHandler<Jobs.Report> {
    private final HandledJobs handled;

    /**
     * The handler.
     *
     * @param handled where handled jobs are recorded
     */
    public ReportHandler(HandledJobs handled) {
      this.handled = handled;
    }

    @Override
    public String type() {
      return Jobs.REPORT;
    }

    @Override
    public Class<Jobs.Report> payloadType() {
      return Jobs.Report.class;
    }

    @Override
    public void handle(LeasedJob<Jobs.Report> job) {
      Jobs.Report report = job.payload();
      log.info("building report {} ({} pages, job {})", report.name(), report.pages(), job.id());
      handled.add(
          new Jobs.Handled(
              job.id(), Jobs.REPORT, "built " + report.name() + " (" + report.pages() + " pages)"));
    }
  }
}
