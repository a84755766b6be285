package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigurationTest {

  @Test
  void badSettingsFailAtBuildWithAClearMessage() {
    assertThatThrownBy(() -> CasqBroker.builder().build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("no queue");
    assertThatThrownBy(() -> CasqBroker.builder().queue("nowhere").build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("has no scheme");
    assertThatThrownBy(
            () -> CasqBroker.builder().queue("mem://a/q.json").queue("mem://b/q.json").build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("two queues are named 'q'");
    assertThatThrownBy(() -> CasqBroker.builder().queue("bad name", "mem://a/q.json").build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("invalid queue name");
    assertThatThrownBy(
            () -> CasqBroker.builder().queue("mem://a/q.json").listen("127.0.0.1", 70000).build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("port");
    assertThatThrownBy(
            () -> CasqBroker.builder().queue("mem://a/q.json").token("has space").build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("token")
        .hasMessageNotContaining("has space");
    assertThatThrownBy(
            () ->
                CasqBroker.builder()
                    .queue("mem://a/q.json")
                    .heartbeatInterval(java.time.Duration.ofSeconds(5))
                    .build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("heartbeat intervals");
    assertThatThrownBy(
            () -> CasqBroker.builder().queue("mem://a/q.json").advertisedAddress("ftp://x").build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("advertised address");
    assertThatThrownBy(
            () -> CasqBroker.builder().queue("mem://a/q.json").maxRequestBytes(10).build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("max request bytes");
    assertThatThrownBy(
            () ->
                CasqBroker.builder()
                    .queue("mem://a/q.json")
                    .properties(Map.of("broker.stale-after", "soon"))
                    .build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("broker.stale-after");
    assertThatThrownBy(() -> CasqBroker.builder().queue("mem://a/q.json").listen("8420"))
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("HOST:PORT");
  }

  @Test
  void propertiesAndDefaultsApply() {
    try (CasqBroker b =
        CasqBroker.builder()
            .queue("mem://conf/orders.json")
            .properties(
                Map.of(
                    "broker.listen", "127.0.0.1:0",
                    "broker.advertised-address", "http://queue.example:9000/",
                    "broker.id", "broker-conf",
                    "broker.heartbeat-interval", "1s",
                    "broker.stale-after", "5s"))
            .build()
            .start()) {
      assertThat(b.queueNames()).containsExactly("orders");
      assertThat(b.address()).isEqualTo("http://queue.example:9000");
      assertThat(b.brokerId()).isEqualTo("broker-conf");
      assertThat(b.broker("orders").orElseThrow().address()).isEqualTo("http://queue.example:9000");
      assertThat(b.tenure("orders").orElseThrow().options().staleAfter()).hasSeconds(5);
      assertThat(new Http("http://127.0.0.1:" + b.port()).get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void aPortInUseIsAClearErrorAndNothingIsClaimed() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(
              () ->
                  CasqBroker.builder()
                      .queue("mem://port/q.json")
                      .listen("127.0.0.1", taken.getLocalPort())
                      .build()
                      .start())
          .isInstanceOf(BrokerConfigurationException.class)
          .hasMessageContaining("cannot listen");
      assertThat(dev.casq.storage.MemoryObjectStore.named("port").read("q.json")).isEmpty();
    }
  }

  @Test
  void storeUrisAreShownWithoutSecrets() {
    assertThat(QueueSpec.redact("s3://AKIA:secret@bucket/q/emails.json?sig=abc"))
        .isEqualTo("s3://bucket/q/emails.json");
    assertThat(QueueSpec.redact("file:///tmp/q.json")).isEqualTo("file:///tmp/q.json");
  }
}
