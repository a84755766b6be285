package dev.casq.sample;

import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.api.Queue;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Pushes jobs over HTTP: {@code POST /jobs/email} and {@code POST /jobs/report} answer {@code 202}
 * with the job's id once the push is durable; {@code GET /jobs/handled} lists what the handlers
 * did. An {@code Idempotency-Key} header makes a retried push return the first push's job.
 */
@RestController
public class JobsController {
  private final Queue<Object> queue;
  private final HandledJobs handled;

  /**
   * The controller.
   *
   * @param queue the queue the starter opened ({@code casq.*} properties)
   * @param handled what the handlers did
   */
  public JobsController(Queue<Object> queue, HandledJobs handled) {
    this.queue = queue;
    this.handled = handled;
  }

  /**
   * The answer to a push.
   *
   * @param id the job's id
   * @param type its type
   * @param duplicate whether the idempotency key was already known (no new job)
   */
  public record Pushed(String id, String type, boolean duplicate) {}

  /**
   * Pushes an email job.
   *
   * @param email the email
   * @param key an idempotency key, or null
   * @return the job
   */
  @PostMapping("/jobs/email")
  @ResponseStatus(HttpStatus.ACCEPTED)
  public Pushed email(
      @RequestBody Jobs.Email email,
      @RequestHeader(name = "Idempotency-Key", required = false) String key) {
    return push(email, Jobs.EMAIL, key);
  }

  /**
   * Pushes a report job.
   *
   * @param report the report
   * @param key an idempotency key, or null
   * @return the job
   */
  @PostMapping("/jobs/report")
  @ResponseStatus(HttpStatus.ACCEPTED)
  public Pushed report(
      @RequestBody Jobs.Report report,
      @RequestHeader(name = "Idempotency-Key", required = false) String key) {
    return push(report, Jobs.REPORT, key);
  }

  /**
   * What the handlers did.
   *
   * @return the handled jobs, oldest first
   */
  @GetMapping("/jobs/handled")
  public List<Jobs.Handled> handled() {
    return handled.all();
  }

  private Pushed push(Object payload, String type, String key) {
    PushOptions options = PushOptions.none().type(type);
    if (key != null && !key.isBlank()) {
      options = options.key(key);
    }
    PushResult r = queue.push(payload, options);
    return new Pushed(r.jobId(), type, r.duplicate());
  }
}
