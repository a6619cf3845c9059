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
}
