package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesValues() throws Exception {
        Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3], \"b\": {\"c\": \"x\\\"y\\u00e9\\n\"}, \"t\": true, \"n\": null}   ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1L, -2L, 3.5, 1000.0), m.get("a"));
        assertEquals(Map.of("c", "x\"yé\n"), m.get("b"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertTrue(m.containsKey("n") && m.get("n") == null);
        assertEquals(new BigInteger("123456789012345678901234567890"), Json.parse("123456789012345678901234567890"));
        assertEquals(List.of("a", "b"), List.copyOf(((Map<?, ?>) Json.parse("{\"a\":1,\"b\":2}")).keySet()), "keeps key order");
    }

    @Test
    void rejectsMalformedJson() {
        for (String bad : new String[] {"{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\":1} x", "01", "\"\\x\"", "{a:1}", "\"tab\there\"", "-", "1.", "tru"}) {
            assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void rejectsDuplicateKeysAndDeepNesting() {
        Json.ParseException dup = assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertTrue(dup.getMessage().contains("duplicate key \"a\""), dup.getMessage());
        Json.ParseException deep = assertThrows(Json.ParseException.class, () -> Json.parse("[".repeat(100_000)));
        assertTrue(deep.getMessage().contains("nesting deeper than 64"), deep.getMessage());
    }

    @Test
    void writesEscapedStrings() throws Exception {
        StringBuilder sb = new StringBuilder();
        Json.writeString(sb, "q\"b\\n\n\u0001é");
        assertEquals("\"q\\\"b\\\\n\\n\\u0001é\"", sb.toString());
        assertEquals("q\"b\\n\n\u0001é", Json.parse(sb.toString()));
    }

    @Test
    void boundsNumbersArraysAndQuotedText() throws Exception {
        assertEquals(Long.MAX_VALUE, Json.parse(Long.toString(Long.MAX_VALUE)));
        assertEquals(new BigInteger("9".repeat(Json.MAX_NUMBER_CHARS)), Json.parse("9".repeat(Json.MAX_NUMBER_CHARS)));
        // Converting a long digit string costs time quadratic in its length; it must be refused before any conversion.
        Json.ParseException num = assertThrows(Json.ParseException.class, () -> Json.parse("[" + "7".repeat(3_000_000) + "]"));
        assertEquals("number longer than " + Json.MAX_NUMBER_CHARS + " characters at character 1", num.getMessage());
        Json.ParseException frac = assertThrows(Json.ParseException.class, () -> Json.parse("1." + "5".repeat(200)));
        assertTrue(frac.getMessage().startsWith("number longer than"), frac.getMessage());

        assertEquals(Json.MAX_ARRAY_ELEMENTS, ((List<?>) Json.parse("[" + "0,".repeat(Json.MAX_ARRAY_ELEMENTS - 1) + "0]")).size());
        Json.ParseException arr = assertThrows(Json.ParseException.class, () -> Json.parse("[" + "0,".repeat(Json.MAX_ARRAY_ELEMENTS) + "0]"));
        assertTrue(arr.getMessage().startsWith("array longer than " + Json.MAX_ARRAY_ELEMENTS + " elements"), arr.getMessage());

        String key = "k".repeat(1_000_000);
        Json.ParseException dup = assertThrows(Json.ParseException.class, () -> Json.parse("{\"" + key + "\":1,\"" + key + "\":2}"));
        assertTrue(dup.getMessage().length() < 120, dup.getMessage().length() + " chars");
        assertTrue(dup.getMessage().startsWith("duplicate key \"kkkk"), dup.getMessage());
    }
}
