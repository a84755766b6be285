package dev.casq.spring;

import dev.casq.api.JobHandler;
import dev.casq.api.LeasedJob;
import java.util.Objects;

/**
 * A handler for the jobs of one type, as a bean: the starter collects every {@code CasqHandler}
 * bean of the application into a {@link dev.casq.api.JobHandlers} registry and runs them with one
 * worker that claims exactly those types (jobs pushed with {@code PushOptions.none().type(...)}).
 * Returning from {@link #handle} completes the job; throwing fails the attempt.
 *
 * <p>Declare one with {@link #of}, or implement it on a component:
 *
 * <pre>{@code
 * @Bean
 * CasqHandler<Email> emails(Mailer mailer) {
 *   return CasqHandler.of("email", Email.class, job -> mailer.send(job.payload()));
 * }
 *
 * @Component
 * class ReportHandler implements CasqHandler<Report> {
 *   public String type() { return "report"; }
 *   public Class<Report> payloadType() { return Report.class; }
 *   public void handle(LeasedJob<Report> job) { ... }
 * }
 * }</pre>
 *
 * <p>Two beans for the same type stop the application at startup.
 *
 * @param <T> the payload class of this type's jobs
 */
public interface CasqHandler<T> extends JobHandler<T> {
  /**
   * The job type this bean handles.
   *
   * @return the type, as pushed with {@code PushOptions.type}
   */
  String type();

  /**
   * The class each payload of this type is converted to.
   *
   * @return the payload class
   */
  Class<T> payloadType();

  /**
   * A handler bean for jobs of {@code type}.
   *
   * @param type the job type
   * @param payloadType the class payloads of this type are converted to
   * @param handler runs each job
   * @param <T> the payload class
   * @return the handler bean
   * @throws IllegalArgumentException when the type is blank
   */
  static <T> CasqHandler<T> of(String type, Class<T> payloadType, JobHandler<T> handler) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(handler, "handler");
    if (type.isBlank()) {
      throw new IllegalArgumentException("a job type must not be blank");
    }
    return new CasqHandler<>() {
      @Override
      public String type() {
        return type;
      }

      @Override
      public Class<T> payloadType() {
        return payloadType;
      }

      @Override
      public void handle(LeasedJob<T> job) throws Exception {
        handler.handle(job);
      }

      @Override
      public String toString() {
        return "CasqHandler[" + type + ", " + payloadType.getName() + "]";
      }
    };
  }
}
