package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TokensTest {
  @Test
  void secureTokensAre128RandomBitsAndNeverRepeatAcrossThreads() throws Exception {
    Supplier<String> tokens = Tokens.secure();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<?>[] runs = new Future<?>[4];
      for (int t = 0; t < runs.length; t++) {
        runs[t] =
            pool.submit(
                () -> {
                  for (int i = 0; i < 5_000; i++) { // many times the 256 tokens one refill gives
                    String token = tokens.get();
                    assertThat(token).matches("[0-9a-f]{32}");
                    assertThat(seen.add(token)).as("token handed out twice: " + token).isTrue();
                  }
                });
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(seen).hasSize(20_000);
    // every hex digit shows up in every position: no constant (for example zeroed) bytes
    for (int pos = 0; pos < 32; pos++) {
      Set<Character> digits = new java.util.HashSet<>();
      for (String s : seen) {
        digits.add(s.charAt(pos));
      }
      assertThat(digits).as("digits at position " + pos).hasSize(16);
    }
  }
}
