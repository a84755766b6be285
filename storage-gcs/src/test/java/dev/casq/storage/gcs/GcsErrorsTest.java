package dev.casq.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.storage.BackPressureException;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreConfigurationException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GcsErrorsTest {
  private static final String TARGET = "gs://b/q.json";
  private static final Duration RETRY = Duration.ofSeconds(1);

  private static com.google.cloud.storage.StorageException http(int code) {
    return new com.google.cloud.storage.StorageException(code, "server said " + code);
  }

  private static com.google.cloud.storage.StorageException io(IOException cause) {
    return new com.google.cloud.storage.StorageException(cause);
  }

  @Test
  void preconditionFailedIsALostRace() {
    assertThat(GcsErrors.forWrite(TARGET, http(412), RETRY))
        .isExactlyInstanceOf(PreconditionFailedException.class)
        .hasMessageContaining(TARGET);
  }

  @Test
  void rateLimitIsBackPressureWithTheRetryDelay() {
    StorageException e = GcsErrors.forWrite(TARGET, http(429), Duration.ofSeconds(3));
    assertThat(e)
        .isExactlyInstanceOf(BackPressureException.class)
        .hasMessageContaining("did not happen");
    assertThat(((BackPressureException) e).retryAfter()).isEqualTo(Duration.ofSeconds(3));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 504, 408})
  void serverErrorsAfterSendingAreUnknownOutcomes(int code) {
    assertThat(GcsErrors.forWrite(TARGET, http(code), RETRY))
        .isExactlyInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("HTTP " + code)
        .hasMessageContaining("re-read");
  }

  @Test
  void timeoutsAndResetsAreUnknownOutcomes() {
    assertThat(GcsErrors.forWrite(TARGET, io(new SocketTimeoutException("Read timed out")), RETRY))
        .isExactlyInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("no answer");
    assertThat(GcsErrors.forWrite(TARGET, io(new SocketException("Connection reset")), RETRY))
        .isExactlyInstanceOf(OutcomeUnknownException.class);
    assertThat(GcsErrors.forWrite(TARGET, new IllegalStateException("odd"), RETRY))
        .isExactlyInstanceOf(OutcomeUnknownException.class);
  }

  @Test
  void aConnectionThatNeverOpenedWroteNothing() {
    StorageException refused =
        GcsErrors.forWrite(TARGET, io(new ConnectException("Connection refused")), RETRY);
    assertThat(refused)
        .isExactlyInstanceOf(StorageException.class)
        .hasMessageContaining("nothing was sent");
    assertThat(GcsErrors.forWrite(TARGET, io(new UnknownHostException("nohost")), RETRY))
        .isExactlyInstanceOf(StorageException.class);
  }

  @Test
  void accessProblemsAreConfigurationErrors() {
    assertThat(GcsErrors.forWrite(TARGET, http(401), RETRY))
        .isExactlyInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("credentials");
    assertThat(GcsErrors.forWrite(TARGET, http(403), RETRY))
        .isExactlyInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("permission denied");
    assertThat(GcsErrors.forWrite(TARGET, http(404), RETRY))
        .isExactlyInstanceOf(StoreConfigurationException.class)
        .hasMessageContaining("bucket")
        .hasMessageContaining("does not exist");
    assertThat(GcsErrors.forRead(TARGET, http(403)))
        .isExactlyInstanceOf(StoreConfigurationException.class);
  }

  @Test
  void badRequestsWroteNothing() {
    assertThat(GcsErrors.forWrite(TARGET, http(400), RETRY))
        .isExactlyInstanceOf(StorageException.class);
  }

  @Test
  void failedReadsAreTransientStorageErrors() {
    assertThat(GcsErrors.forRead(TARGET, http(503)))
        .isExactlyInstanceOf(StorageException.class)
        .hasMessageContaining("HTTP 503");
    assertThat(GcsErrors.forRead(TARGET, http(429)))
        .isExactlyInstanceOf(BackPressureException.class);
  }
}
