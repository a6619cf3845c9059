package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the safetensors header JSON parser: any text either parses or fails with
 * {@link Json.ParseException}; nothing else may escape (no stack overflow, no index errors, no
 * hang). A parsed string survives a write and a re-parse unchanged.
 *
 * <p>Corpus: {@code src/test/resources/dev/kiln/io/JsonFuzzTestInputs/parse/}; how to run it
 * longer: docs/reliability.md.
 */
class JsonFuzzTest {
    @FuzzTest(maxDuration = "15s")
    void parse(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        Object value;
        try {
            value = Json.parse(text);
        } catch (Json.ParseException expected) {
            return;
        }
        if (value instanceof String s) {
            StringBuilder out = new StringBuilder();
            Json.writeString(out, s);
            assertEquals(s, Json.parse(out.toString()), "string written and re-parsed");
        }
    }
}
