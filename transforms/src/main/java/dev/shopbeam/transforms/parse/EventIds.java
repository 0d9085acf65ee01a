package dev.shopbeam.transforms.parse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Derives a stable event id from a record's content for sources that carry none, so that an exact
 * replay of a record (a repeated line, a re-sent message) gets the same id and is deduplicated. 128
 * bits keep accidental collisions out of reach at any data size we will see. Not thread-safe.
 */
public final class EventIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private final MessageDigest md5;
  /** The digest of the current record, reused (an id is made per record). */
  private final byte[] digest = new byte[16];

  public EventIds() {
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
  }

  /** {@code prefix + ':' + hex(md5(text))}. */
  public String of(String prefix, String text) {
    md5.update(text.getBytes(StandardCharsets.UTF_8));
    try {
      md5.digest(digest, 0, digest.length);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("MD5 digests are 16 bytes", e);
    }
    char[] out = new char[prefix.length() + 1 + digest.length * 2];
    prefix.getChars(0, prefix.length(), out, 0);
    int p = prefix.length();
    out[p++] = ':';
    for (byte b : digest) {
      out[p++] = HEX[(b >> 4) & 0xF];
      out[p++] = HEX[b & 0xF];
    }
    return new String(out);
  }
}
