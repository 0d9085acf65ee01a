package dev.shopbeam.transforms.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Event ids are a contract with stored data: a replayed record must get the id it got before, or dedupe
 * across runs breaks. The expected ids are `printf '%s' LINE | md5sum` of the UTF-8 bytes.
 */
class EventIdsTest {
  @Test
  void idIsThePrefixAndTheMd5OfTheRecordsUtf8Bytes() {
    EventIds ids = new EventIds();
    String line = "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom";
    assertEquals("or:dc89ca7a888007abc31e3d1f0f978c7c", ids.of("or", line));
    assertEquals("js:f82f4fa9320c76170e168ee082381e22", ids.of("js", "caf\u00e9,1"));
    // the digest buffer is reused: the same record again, after another, has the same id
    assertEquals("or:dc89ca7a888007abc31e3d1f0f978c7c", ids.of("or", line));
    assertEquals("ub:d41d8cd98f00b204e9800998ecf8427e", ids.of("ub", ""));
  }
}
