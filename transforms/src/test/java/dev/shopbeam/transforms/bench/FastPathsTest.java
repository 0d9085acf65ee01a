package dev.shopbeam.transforms.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import dev.shopbeam.schemas.Behavior;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.transforms.DeadLetters;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The parse and clean stages' fast paths (added for speed, see the README's "Parse and clean (JMH)") against the general
 * code they stand in for: on random and edge-case inputs, whenever a fast path answers, its answer is
 * exactly the general one. (When it does not answer, the general code runs, as before.) The fast paths
 * are package-private, hence reflection.
 */
class FastPathsTest {
  private static final Random RANDOM = new Random(20261127);

  private static Method method(String className, String name, Class<?>... types) throws Exception {
    Method m = Class.forName(className).getDeclaredMethod(name, types);
    m.setAccessible(true);
    return m;
  }

  private static Object call(Method m, Object... args) throws Exception {
    try {
      return m.invoke(null, args);
    } catch (InvocationTargetException e) {
      throw (Exception) e.getCause();
    }
  }

  private static String random(String[] pieces, int maxPieces) {
    StringBuilder sb = new StringBuilder();
    int n = RANDOM.nextInt(maxPieces + 1);
    for (int i = 0; i < n; i++) {
      sb.append(pieces[RANDOM.nextInt(pieces.length)]);
    }
    return sb.toString();
  }

  @Test
  void csvLinesSplitAsJacksonSplitsThem() throws Exception {
    Method simple = method("dev.shopbeam.transforms.parse.CsvRecord", "simpleFields", String.class);
    ObjectReader jackson = new CsvMapper().readerFor(String[].class);
    String[] pieces = {"a", "7", ",", ",", "\"", "\"", " ", "\t", "\r", "\n", "\uFEFF", "é", "#", "\\", "\u0000", "'",
      "WHITE HANGING HEART", "2010-12-01 08:26:00", "\"A, B\"", "\"7\"\" FRAME\""};
    int fast = 0;
    for (int k = 0; k < 100_000; k++) {
      String line = random(pieces, 12);
      String[] f = (String[]) call(simple, line);
      if (f != null) {
        fast++;
        assertThat(line, f, equalTo((String[]) jackson.readValue(line)));
      }
    }
    assertThat(fast, greaterThan(5_000));
  }

  @Test
  void utf8DecodesAsTheStrictDecoder() throws Exception {
    Method decode = method("dev.shopbeam.transforms.parse.ParseEvents$ParseFn", "decodeStrict", byte[].class);
    byte[][] pieces = {"a".getBytes(StandardCharsets.UTF_8), "é".getBytes(StandardCharsets.UTF_8),
      "€".getBytes(StandardCharsets.UTF_8), "😀".getBytes(StandardCharsets.UTF_8), "\uFFFD".getBytes(StandardCharsets.UTF_8),
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0xFF}};
    for (int x = 0; x < 256; x++) {
      for (int y = 0; y < 256; y++) {
        byte[] b = {(byte) x, (byte) y};
        assertThat(Arrays.toString(b), call(decode, b), equalTo(DeadLetters.decodeStrict(b)));
      }
    }
    for (int k = 0; k < 20_000; k++) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      int n = RANDOM.nextInt(8);
      for (int i = 0; i < n; i++) {
        if (RANDOM.nextInt(4) == 0) {
          out.write(RANDOM.nextInt(256));
        } else {
          out.writeBytes(pieces[RANDOM.nextInt(pieces.length)]);
        }
      }
      byte[] b = out.toByteArray();
      assertThat(Arrays.toString(b), call(decode, b), equalTo(DeadLetters.decodeStrict(b)));
    }
  }

  @Test
  void decimalsParseAsBigDecimal() throws Exception {
    Method decimal = method("dev.shopbeam.transforms.parse.FastText", "decimalScale3", String.class, int.class);
    String[] pieces = {"0", "1", "5", "9", "-", ".", "+", "e", "E", " ", ",", "_", "١"};
    int fast = 0;
    for (int k = 0; k < 100_000; k++) {
      String s = random(pieces, 20);
      BigDecimal d = (BigDecimal) call(decimal, s, 15);
      if (d != null) {
        fast++;
        BigDecimal general = new BigDecimal(s);
        assertThat(s, general.scale() <= 3, equalTo(true));
        assertThat(s, d, equalTo(general.setScale(3, RoundingMode.UNNECESSARY))); // equals: value and scale
        assertThat(s, (BigDecimal) call(decimal, s, 9), equalTo(general.precision() - general.scale() <= 9 ? d : null));
      }
    }
    assertThat(fast, greaterThan(1_000));
  }

  @Test
  void invoiceDatesParseAsTheFormatters() throws Exception {
    Method local = method("dev.shopbeam.transforms.parse.FastText", "localDateTime", String.class);
    DateTimeFormatter iso = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm[:ss]").withResolverStyle(ResolverStyle.STRICT);
    DateTimeFormatter sheet = DateTimeFormatter.ofPattern("M/d/uuuu H:mm[:ss]").withResolverStyle(ResolverStyle.STRICT);
    String[] pieces = {"0", "1", "2", "3", "9", "00", "12", "28", "29", "30", "31", "59", "60", "24", "2011", "2012", "-", "/", ":", " ", "T", "."};
    int fast = 0;
    for (int k = 0; k < 60_000; k++) {
      String s;
      if (RANDOM.nextBoolean()) {
        s = random(pieces, 12);
      } else {
        int y = RANDOM.nextInt(3) == 0 ? RANDOM.nextInt(10_000) : 1996 + RANDOM.nextInt(20);
        int m = RANDOM.nextInt(14);
        int d = RANDOM.nextInt(33);
        int h = RANDOM.nextInt(26);
        int mi = RANDOM.nextInt(61);
        int sec = RANDOM.nextInt(61);
        s = RANDOM.nextBoolean()
            ? String.format("%04d-%02d-%02d %02d:%02d", y, m, d, h, mi) + (RANDOM.nextBoolean() ? String.format(":%02d", sec) : "")
            : String.format(RANDOM.nextBoolean() ? "%d/%d/%04d %d:%02d" : "%02d/%02d/%04d %02d:%02d", m, d, y, h, mi)
                + (RANDOM.nextBoolean() ? String.format(":%02d", sec) : "");
      }
      LocalDateTime fastResult = (LocalDateTime) call(local, s);
      if (fastResult != null) {
        fast++;
        assertThat(s, fastResult, equalTo(LocalDateTime.parse(s, s.indexOf('/') >= 0 ? sheet : iso)));
      }
    }
    assertThat(fast, greaterThan(6_000));
  }

  @Test
  void londonTimesAreAsAtZone() throws Exception {
    Class<?> parserClass = Class.forName("dev.shopbeam.transforms.parse.OnlineRetailParser");
    Object parser = parserClass.getConstructor().newInstance();
    Method london = parserClass.getDeclaredMethod("london", LocalDateTime.class);
    london.setAccessible(true);
    java.time.ZoneId zone = java.time.ZoneId.of("Europe/London");
    // In order, every 13 minutes through years with clock changes of every kind (and the 1968-71 all-year
    // summer time), then in random order from 1840 to 2100.
    for (int[] years : new int[][] {{1967, 1972}, {1996, 1997}, {2011, 2012}, {2038, 2039}}) {
      for (LocalDateTime t = LocalDateTime.of(years[0], 1, 1, 0, 0); t.getYear() < years[1]; t = t.plusMinutes(13)) {
        assertThat(t.toString(), london.invoke(parser, t), equalTo(t.atZone(zone).toInstant()));
      }
    }
    for (int k = 0; k < 50_000; k++) {
      LocalDateTime t = LocalDateTime.of(1840 + RANDOM.nextInt(260), 1 + RANDOM.nextInt(12), 1 + RANDOM.nextInt(28),
          RANDOM.nextInt(24), RANDOM.nextInt(60), RANDOM.nextInt(60));
      if (RANDOM.nextInt(4) == 0) { // near a clock change: the last Sundays of March and October
        t = t.withMonth(RANDOM.nextBoolean() ? 3 : 10).withDayOfMonth(24 + RANDOM.nextInt(8));
      }
      assertThat(t.toString(), london.invoke(parser, t), equalTo(t.atZone(zone).toInstant()));
      LocalDateTime later = t.plusMinutes(RANDOM.nextInt(600)); // often the same day: the cached offset
      assertThat(later.toString(), london.invoke(parser, later), equalTo(later.atZone(zone).toInstant()));
    }
  }

  @Test
  void isoInstantsParseAsOffsetDateTime() throws Exception {
    Method instant = method("dev.shopbeam.transforms.parse.FastText", "isoOffsetInstant", String.class);
    String[] offsets = {"Z", "z", "+01:00", "-05:30", "+17:59", "+18:00", "-18:00", "+19:00", "+0100", "+01", "-00:00", "+01:60", ""};
    String[] fractions = {"", ".", ".1", ".123", ".123456789", ".1234567891"};
    int fast = 0;
    for (int k = 0; k < 30_000; k++) {
      int y = RANDOM.nextInt(3) == 0 ? RANDOM.nextInt(10_000) : 1970 + RANDOM.nextInt(60);
      String s = String.format("%04d-%02d-%02d%s%02d:%02d", y, RANDOM.nextInt(14), RANDOM.nextInt(33),
          RANDOM.nextInt(20) == 0 ? "t" : "T", RANDOM.nextInt(26), RANDOM.nextInt(61))
          + (RANDOM.nextInt(10) == 0 ? "" : String.format(":%02d", RANDOM.nextInt(61)))
          + fractions[RANDOM.nextInt(fractions.length)] + offsets[RANDOM.nextInt(offsets.length)];
      Instant fastResult = (Instant) call(instant, s);
      if (fastResult != null) {
        fast++;
        assertThat(s, fastResult, equalTo(OffsetDateTime.parse(s).toInstant()));
      }
    }
    assertThat(fast, greaterThan(2_500));
  }

  @Test
  void plainJsonReadsAsReadTree() throws Exception {
    Method plain = method("dev.shopbeam.transforms.parse.JsonEventParser", "plainObject", String.class);
    Object parser = plain.getDeclaringClass().getConstructor().newInstance();
    Method simple = method("dev.shopbeam.transforms.parse.JsonEventParser", "simpleObject", String.class);
    ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    String[] names = {"event_id", "user_id", "session_id", "item_id", "category_id", "behavior", "quantity",
      "unit_price", "currency", "country", "event_time"};
    String[] values = {"\"e1\"", "\" x \"", "\"\"", "\"é😀\"", "\"a\\\"b\"", "\"\\u00e9\"", "\"\t\"", "7", "-7", "0", "-0", "007",
      "2147483647", "2147483648", "-2147483648", "-2147483649", "999999999999999999", "9999999999999999999", "1.5", "1e3",
      "true", "false", "null", "truex", "nul", "{}", "[1]", "\"2017-11-25T10:00:00Z\"", "1511604000000"};
    String[] spaces = {"", "", "", " ", "\n", "\r\n", "\t", "\u000B", "\u00A0"};
    int plainCount = 0;
    int simpleCount = 0;
    for (int k = 0; k < 20_000; k++) {
      StringBuilder sb = new StringBuilder(spaces[RANDOM.nextInt(spaces.length)]).append('{');
      int fields = RANDOM.nextInt(13);
      for (int i = 0; i < fields; i++) {
        String space = spaces[RANDOM.nextInt(spaces.length)];
        sb.append(i > 0 ? "," : "").append(space).append('"')
            .append(RANDOM.nextInt(6) == 0 ? "other" : names[RANDOM.nextInt(names.length)]).append('"').append(space)
            .append(':').append(space).append(values[RANDOM.nextInt(values.length)]);
      }
      sb.append(RANDOM.nextInt(30) == 0 ? ",}" : "}").append(spaces[RANDOM.nextInt(spaces.length)]);
      if (RANDOM.nextInt(30) == 0) {
        sb.append(RANDOM.nextBoolean() ? "x" : "{}");
      }
      if (RANDOM.nextInt(50) == 0) { // longer than the parser's first buffer
        sb.insert(sb.indexOf("{") + 1, "\"other\":\"" + "y".repeat(RANDOM.nextInt(600)) + "\",");
      }
      String text = sb.toString();
      for (Method m : new Method[] {plain, simple}) {
        JsonNode[] f = (JsonNode[]) (m == plain ? plain.invoke(parser, text) : call(m, text));
        if (f == null) {
          continue;
        }
        if (m == plain) {
          plainCount++;
        } else {
          simpleCount++;
        }
        JsonNode root = mapper.readTree(text);
        assertThat(text, root.isObject(), equalTo(true));
        for (int i = 0; i < names.length; i++) {
          JsonNode general = root.get(names[i]);
          assertThat(text, f[i], equalTo(general));
          assertThat(text, f[i] == null ? null : f[i].getClass(), equalTo(general == null ? null : general.getClass()));
        }
      }
    }
    assertThat(plainCount, greaterThan(300));
    assertThat(simpleCount, greaterThan(300));
  }

  @Test
  void validatorCopiesAsAvroDoes() throws Exception {
    Method copyOf = method("dev.shopbeam.transforms.clean.EventValidator", "copyOf", CommerceEvent.class);
    String[] strings = {null, "", " x ", "e1"};
    BigDecimal[] prices = {null, new BigDecimal("2.550"), new BigDecimal("2.55"), new BigDecimal("2.5501"),
      new BigDecimal("0.000"), new BigDecimal("999999999.999"), new BigDecimal("1000000000.000"), new BigDecimal("1E+3"),
      new BigDecimal("-1.000")};
    Instant[] times = {null, Instant.parse("2017-11-25T10:00:00Z"), Instant.parse("2017-11-25T10:00:00.123456789Z"),
      Instant.ofEpochSecond(-1, 999_999_999), Instant.MAX, Instant.MIN};
    Behavior[] behaviors = {null, Behavior.VIEW, Behavior.BUY};
    for (int k = 0; k < 5_000; k++) {
      CommerceEvent in = new CommerceEvent();
      Object[] v = {strings[RANDOM.nextInt(4)], strings[RANDOM.nextInt(4)], strings[RANDOM.nextInt(4)], strings[RANDOM.nextInt(4)],
        strings[RANDOM.nextInt(4)], behaviors[RANDOM.nextInt(3)], RANDOM.nextInt(3) - 1, prices[RANDOM.nextInt(prices.length)],
        strings[RANDOM.nextInt(4)], strings[RANDOM.nextInt(4)], times[RANDOM.nextInt(times.length)],
        times[RANDOM.nextInt(times.length)], strings[RANDOM.nextInt(4)]};
      if (RANDOM.nextBoolean()) { // mostly what parsers produce: the required fields set
        v[0] = "e1";
        v[3] = "i1";
        v[5] = Behavior.BUY;
        v[10] = v[10] == null ? times[1] : v[10];
        v[11] = v[11] == null ? times[2] : v[11];
        v[12] = "json";
      }
      for (int i = 0; i < v.length; i++) {
        in.put(i, v[i]);
      }
      String general;
      try {
        general = render(CommerceEvent.newBuilder(in).build());
      } catch (RuntimeException e) {
        general = e.toString();
      }
      String fast;
      try {
        fast = render((CommerceEvent) call(copyOf, in));
      } catch (RuntimeException e) {
        fast = e.toString();
      }
      assertThat(render(in), fast, equalTo(general));
    }
  }

  /** Every field, with its class, a decimal's scale and an instant's nanoseconds. */
  private static String render(CommerceEvent e) {
    assertThat(e, notNullValue());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 13; i++) {
      Object v = e.get(i);
      sb.append(i).append('=').append(v == null ? "null" : v.getClass().getSimpleName()).append(':');
      if (v instanceof BigDecimal) {
        sb.append(((BigDecimal) v).unscaledValue()).append("e-").append(((BigDecimal) v).scale());
      } else if (v instanceof Instant) {
        sb.append(((Instant) v).getEpochSecond()).append('.').append(((Instant) v).getNano());
      } else {
        sb.append(Objects.toString(v));
      }
      sb.append(' ');
    }
    return sb.toString();
  }
}
