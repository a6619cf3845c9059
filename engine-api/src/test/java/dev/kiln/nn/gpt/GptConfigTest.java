package dev.kiln.nn.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.ops.GeluApproximation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** GptConfig: defaults, validation messages, and the JSON form with nanoGPT's keys. */
class GptConfigTest {
    private static void rejects(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void defaultsAreThePretrainDefaults() {
        GptConfig c = GptConfig.builder().build();
        assertEquals(new GptConfig(2048, 128, 4, 4, 128, 0f, true, GeluApproximation.NONE), c);
        assertEquals(32, c.headDim());
    }

    @Test
    void jsonIsNanoGptsKeysAndRoundTrips() {
        GptConfig c = GptConfig.builder().vocabSize(300).contextLength(64).layers(2).heads(3).width(48).dropout(0.1f).bias(false)
                .gelu(GeluApproximation.TANH).build();
        assertEquals("{\"vocab_size\": 300, \"block_size\": 64, \"n_layer\": 2, \"n_head\": 3, \"n_embd\": 48, \"dropout\": 0.1, "
                + "\"bias\": false, \"gelu_approximate\": \"tanh\"}", c.toJson());
        assertEquals(c, GptConfig.fromJson(c.toJson()));
        assertEquals(GptConfig.builder().build(), GptConfig.fromJson(GptConfig.builder().build().toJson()));
        assertEquals(c, c.toBuilder().build());
        // A plain nanoGPT config (no gelu_approximate, any key order) reads with the exact GELU.
        assertEquals(new GptConfig(65, 256, 6, 6, 384, 0.2f, false, GeluApproximation.NONE), GptConfig.fromJson(
                "{\"block_size\": 256, \"vocab_size\": 65, \"n_layer\": 6, \"n_head\": 6, \"n_embd\": 384, \"dropout\": 0.2, \"bias\": false}"));
    }

    @Test
    void jsonErrorsNameTheKey() {
        String ok = "\"vocab_size\": 10, \"block_size\": 8, \"n_layer\": 1, \"n_head\": 2, \"n_embd\": 4, \"dropout\": 0, \"bias\": true";
        rejects("GptConfig: missing key 'n_embd'", () -> GptConfig.fromJson("{" + ok.replace(", \"n_embd\": 4", "") + "}"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GptConfig.fromJson("{" + ok + ", \"n_embed\": 4}"));
        assertEquals(true, e.getMessage().startsWith("GptConfig: unknown key 'n_embed' (expected "), e.getMessage());
        rejects("GptConfig: n_layer must be an integer, got 1.5", () -> GptConfig.fromJson("{" + ok.replace("\"n_layer\": 1", "\"n_layer\": 1.5") + "}"));
        rejects("GptConfig: bias must be true or false, got 1", () -> GptConfig.fromJson("{" + ok.replace("true", "1") + "}"));
        rejects("GptConfig: gelu_approximate must be \"none\" or \"tanh\", got \"erf\"",
                () -> GptConfig.fromJson("{" + ok + ", \"gelu_approximate\": \"erf\"}"));
        rejects("GptConfig: expected a JSON object, got [1]", () -> GptConfig.fromJson("[1]"));
        assertThrows(IllegalArgumentException.class, () -> GptConfig.fromJson("{\"vocab_size\": "));
        rejects("GptConfig: width must be divisible by heads, got width 4 and heads 3",
                () -> GptConfig.fromJson("{" + ok.replace("\"n_head\": 2", "\"n_head\": 3") + "}"));
    }

    @Test
    void validationNamesFieldExpectedAndActual() {
        rejects("GptConfig: width must be divisible by heads, got width 130 and heads 4", () -> GptConfig.builder().width(130).build());
        rejects("GptConfig: vocabSize must be >= 1, got 0", () -> GptConfig.builder().vocabSize(0).build());
        rejects("GptConfig: contextLength must be >= 1, got -1", () -> GptConfig.builder().contextLength(-1).build());
        rejects("GptConfig: layers must be >= 1, got 0", () -> GptConfig.builder().layers(0).build());
        rejects("GptConfig: heads must be >= 1, got 0", () -> GptConfig.builder().heads(0).build());
        rejects("GptConfig: dropout must be in [0, 1), got 1.0", () -> GptConfig.builder().dropout(1f).build());
        rejects("GptConfig: dropout must be in [0, 1), got NaN", () -> GptConfig.builder().dropout(Float.NaN).build());
        rejects("GptConfig: gelu must not be null (GeluApproximation.NONE is nanoGPT's)", () -> GptConfig.builder().gelu(null).build());
    }
}
