package dev.casq.storage.file;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Content whose completeness can be checked: a header line {@code seq=N size=S crc=C} and S bytes
 * of printable payload. Any torn, truncated or mixed write fails {@link #parse(byte[])}.
 */
record ChecksummedRecord(long seq, byte[] payload) {
  static ChecksummedRecord of(long seq, int size, SplittableRandom random) {
    byte[] payload = new byte[size];
    for (int i = 0; i < size; i++) {
      payload[i] = (byte) ('a' + random.nextInt(26));
    }
    return new ChecksummedRecord(seq, payload);
  }

  byte[] encode() {
    byte[] header =
        ("seq=" + seq + " size=" + payload.length + " crc=" + crc(payload) + "\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(header, header.length + payload.length);
    System.arraycopy(payload, 0, all, header.length, payload.length);
    return all;
  }

  /**
   * Parses and checks content.
   *
   * @throws IllegalStateException if it is not one complete record
   */
  static ChecksummedRecord parse(byte[] data) {
    int nl = 0;
    while (nl < data.length && data[nl] != '\n') {
      nl++;
    }
    String header = new String(data, 0, nl, StandardCharsets.US_ASCII);
    String[] parts = header.split(" ");
    try {
      if (nl == data.length
          || parts.length != 3
          || !parts[0].startsWith("seq=")
          || !parts[1].startsWith("size=")
          || !parts[2].startsWith("crc=")) {
        throw new IllegalStateException("bad header: '" + header + "'");
      }
      long seq = Long.parseLong(parts[0].substring(4));
      int size = Integer.parseInt(parts[1].substring(5));
      long crc = Long.parseLong(parts[2].substring(4));
      byte[] payload = Arrays.copyOfRange(data, nl + 1, data.length);
      if (payload.length != size) {
        throw new IllegalStateException(
            "torn record seq=" + seq + ": " + payload.length + " bytes of " + size);
      }
      if (crc(payload) != crc) {
        throw new IllegalStateException("record seq=" + seq + " fails its checksum");
      }
      return new ChecksummedRecord(seq, payload);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("bad header: '" + header + "'", e);
    }
  }

  private static long crc(byte[] payload) {
    CRC32 c = new CRC32();
    c.update(payload);
    return c.getValue();
  }
}
