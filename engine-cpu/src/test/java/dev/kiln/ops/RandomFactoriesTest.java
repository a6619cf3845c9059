package dev.kiln.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** {@code Tensor.rand}/{@code randn}: every int is a dimension; a seed comes only as a {@link Generator}. */
class RandomFactoriesTest {

    @Test
    void dimsOnlyFormsTakeEveryArgumentAsADimension() {
        try (var _ = Kiln.scope()) {
            assertArrayEquals(new int[] {3, 4}, Tensor.randn(3, 4).shape());
            assertArrayEquals(new int[] {2, 3, 4}, Tensor.rand(2, 3, 4).shape());
            assertArrayEquals(new int[] {5}, Tensor.randn(5).shape());
            for (float v : Tensor.rand(64).toFloatArray()) assertTrue(v >= 0f && v < 1f, "uniform sample " + v);
        }
    }

    @Test
    void aSeededGeneratorGivesItsOwnStream() {
        float[] normal = new float[12], uniform = new float[6];
        new Generator(42).fillNormal(normal, 0f, 1f);
        new Generator(42).fillUniform(uniform, 0f, 1f);
        try (var _ = Kiln.scope()) {
            Tensor n = Tensor.randn(new Generator(42), 3, 4);
            assertArrayEquals(new int[] {3, 4}, n.shape());
            assertArrayEquals(normal, n.toFloatArray());
            assertArrayEquals(uniform, Tensor.rand(new Generator(42), 2, 3).toFloatArray());
        }
    }
}
