package dev.shopbeam.transforms;

import dev.shopbeam.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/** Builds dead-letter records; keeps the raw payload readable where it can and exact where it must. */
public final class DeadLetters {
  public static final String STAGE_READ = "read";
  public static final String STAGE_PARSE = "parse";
  public static final String STAGE_CLEAN = "clean";
  /** Streaming only: a record later than its windows' allowed lateness. */
  public static final String STAGE_WINDOW = "window";

  private DeadLetters() {}

  public static DeadLetter of(
      String text, String location, String reason, String detail, String stage, String source) {
    return DeadLetter.newBuilder()
        .setRawPayload(text)
        .setRawPayloadEncoding("utf-8")
        .setSourceLocation(location)
        .setReason(reason)
        .setErrorDetail(detail)
        .setStage(stage)
        .setSource(source)
        .setRejectedAt(Instant.now())
        .build();
  }

  /** For bytes that may not be UTF-8: kept as text when they decode, else base64 so nothing is lost. */
  public static DeadLetter ofBytes(
      byte[] payload, String location, String reason, String detail, String stage, String source) {
    String text = decodeStrict(payload);
    DeadLetter d = of(text != null ? text : Base64.getEncoder().encodeToString(payload),
        location, reason, detail, stage, source);
    if (text == null) {
      d.setRawPayloadEncoding("base64");
    }
    return d;
  }

  /** The bytes as UTF-8, or null when they are not valid UTF-8. */
  public static String decodeStrict(byte[] bytes) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
