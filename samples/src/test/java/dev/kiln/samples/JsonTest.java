package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValuesIndentedWithNonFiniteAsNull() {
        String json = Json.write(Json.obj("name", "a\"b\n", "n", 3, "x", 0.25, "whole", 2.0, "nan", Double.NaN, "none", null,
                "flat", List.of(1, 2), "rows", List.of(Json.obj("k", true)), "empty", Json.obj()));
        assertEquals("""
                {
                  "name": "a\\"b\\n",
                  "n": 3,
                  "x": 0.25,
                  "whole": 2.0,
                  "nan": null,
                  "none": null,
                  "flat": [1, 2],
                  "rows": [
                    {
                      "k": true
                    }
                  ],
                  "empty": {}
                }
                """, json);
    }
}
