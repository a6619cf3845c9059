package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * nn.Embedding as PyTorch defines it: one parameter named {@code weight} of {@code [num, dim]}
 * drawn from N(0, 1), the padding row zeroed at creation (a negative index counting from the end),
 * {@code [*]} indices to {@code [*, dim]}, no gradient for the padding row, and from_pretrained.
 */
class EmbeddingTest {
    private final Backend b = HostOnlyBackend.create();

    @Test
    void weightIsNamedShapedAndStandardNormal() {
        try (Embedding e = Embedding.builder(1000, 20).generator(new Generator(5)).backend(b).build()) {
            assertEquals(List.of("weight"), List.copyOf(e.namedParameters().keySet()));
            assertArrayEquals(new int[] {1000, 20}, e.weight().shape());
            assertTrue(e.weight().requiresGrad());
            float[] w = e.weight().toFloatArray();
            double mean = 0, sq = 0;
            for (float v : w) mean += v;
            mean /= w.length;
            for (float v : w) sq += (v - mean) * (v - mean);
            double std = Math.sqrt(sq / (w.length - 1));
            // 20,000 samples: the mean's standard error is 0.007, the std's 0.005.
            assertEquals(0, mean, 0.03, "mean of N(0, 1)");
            assertEquals(1, std, 0.03, "std of N(0, 1)");
            assertEquals(-1, e.paddingIdx());
            assertEquals("Embedding(1000, 20)", e.toString().lines().findFirst().orElseThrow());
        }
    }

    @Test
    void paddingRowStartsAtZeroAndGetsNoGradient() {
        try (Embedding e = Embedding.builder(5, 3).paddingIdx(-1).generator(new Generator(2)).backend(b).build(); var s = Kiln.scope()) {
            assertEquals(4, e.paddingIdx(), "padding_idx -1 of 5 rows is row 4, as PyTorch stores it");
            float[] w = e.weight().toFloatArray();
            assertArrayEquals(new float[3], java.util.Arrays.copyOfRange(w, 12, 15));
            Tensor y = e.forward(Tensor.fromLongs(b, new long[] {4, 1, 4, 0, 1, 2}, 2, 3));
            assertArrayEquals(new int[] {2, 3, 3}, y.shape());
            y.backward(Tensor.full(b, 1f, 2, 3, 3));
            assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0}, e.weight().grad().toFloatArray());
            assertTrue(e.toString().contains("Embedding(5, 3, padding_idx=4)"), e.toString());
        }
    }

    @Test
    void fromPretrainedCopiesAndFreezes() {
        try (var s = Kiln.scope()) {
            Tensor table = Tensor.fromArray(b, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
            try (Embedding frozen = Embedding.fromPretrained(table, true, 1);
                 Embedding trained = Embedding.fromPretrained(table, false, null)) {
                assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, frozen.weight().toFloatArray(), "the padding row is kept as given");
                assertFalse(frozen.weight().requiresGrad());
                assertTrue(trained.weight().requiresGrad());
                assertArrayEquals(new float[] {5, 6, 3, 4}, frozen.forward(Tensor.fromInts(b, new int[] {2, 1}, 2)).toFloatArray());
                table.close();
                assertArrayEquals(new float[] {3, 4}, trained.forward(Tensor.fromInts(b, new int[] {1}, 1)).toFloatArray(), "a copy");
            }
        }
    }

    @Test
    void badArgumentsArePyTorchErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Embedding.builder(5, 3).paddingIdx(5).generator(new Generator(1)).backend(b).build());
        assertEquals("Embedding: padding_idx must be within num_embeddings (5), got 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Embedding.builder(5, 3).paddingIdx(-6).generator(new Generator(1)).backend(b).build());
        assertThrows(IllegalArgumentException.class, () -> Embedding.builder(0, 3).generator(new Generator(1)).backend(b).build());
        try (var s = Kiln.scope()) {
            assertThrows(IllegalArgumentException.class, () -> Embedding.fromPretrained(Tensor.fromArray(b, new float[3], 3), true, null));
        }
    }
}
