package dev.casq.storage.gcs.testserver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Splits a {@code multipart/related} body (metadata part, then media part) into its parts. */
final class MultipartRelated {
  private MultipartRelated() {}

  /** One part: its header block (lower-cased names) and its bytes. */
  record Part(String headers, byte[] body) {
    String contentType() {
      for (String line : headers.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-type")) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** The boundary named by a {@code Content-Type: multipart/related; boundary=...} header. */
  static String boundary(String contentType) {
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/related")) {
      throw GcsError.badRequest("multipart upload needs Content-Type multipart/related");
    }
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String b = p.substring("boundary=".length());
        if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
          b = b.substring(1, b.length() - 1);
        }
        if (!b.isEmpty()) {
          return b;
        }
      }
    }
    throw GcsError.badRequest("multipart/related Content-Type without boundary");
  }

  /** The parts of {@code body} delimited by {@code boundary}. */
  static List<Part> parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    List<Part> parts = new ArrayList<>();
    int at = indexOf(body, delimiter, 0);
    if (at < 0) {
      throw GcsError.badRequest("multipart body does not contain its boundary");
    }
    while (true) {
      int afterDelimiter = at + delimiter.length;
      if (startsWith(body, afterDelimiter, "--")) {
        return parts;
      }
      int headerStart = skipLineEnd(body, afterDelimiter);
      int headerEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headerStart);
      int contentStart;
      String headers;
      if (startsWith(body, headerStart, "\r\n")) {
        headers = "";
        contentStart = headerStart + 2;
      } else if (headerEnd >= 0) {
        headers = new String(body, headerStart, headerEnd - headerStart, StandardCharsets.UTF_8);
        contentStart = headerEnd + 4;
      } else {
        throw GcsError.badRequest("multipart part without header end");
      }
      byte[] next = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
      int end = indexOf(body, next, contentStart);
      if (end < 0) {
        throw GcsError.badRequest("multipart body is not terminated");
      }
      parts.add(new Part(headers, Arrays.copyOfRange(body, contentStart, end)));
      at = end + 2;
    }
  }

  private static int skipLineEnd(byte[] body, int i) {
    while (i < body.length && (body[i] == ' ' || body[i] == '\t')) {
      i++;
    }
    if (startsWith(body, i, "\r\n")) {
      return i + 2;
    }
    throw GcsError.badRequest("malformed multipart delimiter line");
  }

  private static boolean startsWith(byte[] body, int at, String s) {
    if (at + s.length() > body.length) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (body[at + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = Math.max(from, 0); i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
