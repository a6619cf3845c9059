package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * permute and transpose beyond the float cases of {@link ShapingCases}: INT32 tensors move bit for
 * bit, the gradient is the output gradient permuted back, and bad dimensions name the op, the
 * shape and the offending dimension.
 */
public interface ShapingChecks extends BackendUnderTest {

    @Test
    default void permuteMovesInt32Exactly() {
        try (var s = Kiln.scope()) {
            int[] data = new int[24];
            for (int i = 0; i < data.length; i++) data[i] = Integer.MAX_VALUE - 7 * i;
            Tensor x = Tensor.fromInts(backend(), data, 2, 3, 4);
            Tensor y = x.permute(2, 0, 1);
            assertArrayEquals(new int[] {4, 2, 3}, y.shape());
            int[] got = y.toIntArray();
            for (int c = 0; c < 4; c++) {
                for (int a = 0; a < 2; a++) {
                    for (int b = 0; b < 3; b++) {
                        assertTrue(got[(c * 2 + a) * 3 + b] == data[(a * 3 + b) * 4 + c], "element [" + c + ", " + a + ", " + b + "]");
                    }
                }
            }
        }
    }

    /** y = permute(x, (1, 2, 0)), loss = sum(y * w): dL/dx[a, b, c] = w[b, c, a]. */
    @Test
    default void permuteGradientIsTheInversePermutation() {
        try (var s = Kiln.scope()) {
            float[] w = new float[24];
            for (int i = 0; i < w.length; i++) w[i] = i + 1;
            Tensor x = tensor(new float[24], 2, 3, 4).requiresGrad(true);
            x.permute(1, 2, 0).mul(tensor(w, 3, 4, 2)).sum().backward();
            float[] expected = new float[24];
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 3; b++) {
                    for (int c = 0; c < 4; c++) expected[(a * 3 + b) * 4 + c] = w[(b * 4 + c) * 2 + a];
                }
            }
            assertArrayEquals(expected, x.grad().toFloatArray());
        }
    }

    @Test
    default void permuteAndTransposeErrors() {
        rejects(() -> Functional.permute(ones(2, 3), 0), "permute", "expected 2 dimensions", "[2, 3]");
        rejects(() -> Functional.permute(ones(2, 3, 4), 0, 2, 2), "permute", "dimension 2 repeats");
        rejects(() -> Functional.permute(ones(2, 3), 0, 5), "permute", "5");
        rejects(() -> Functional.transpose(ones(2, 3), 0, 2), "transpose", "2");
    }
}
