package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * narrow, select and expand beyond the float cases of {@link SlicingCases}: INT32 tensors move bit
 * for bit, gradients land exactly in the slice (zeros elsewhere) or are summed over the expanded
 * dimensions, and bad arguments give PyTorch's messages with the op's name.
 */
public interface SlicingChecks extends BackendUnderTest {

    @Test
    default void slicesMoveInt32Exactly() {
        try (var s = Kiln.scope()) {
            int[] data = new int[12];
            for (int i = 0; i < data.length; i++) data[i] = Integer.MIN_VALUE + 3 * i;
            Tensor x = Tensor.fromInts(backend(), data, 3, 4);
            assertArrayEquals(new int[] {data[5], data[6], data[9], data[10]}, x.narrow(1, 1, 2).narrow(0, 1, 2).toIntArray());
            assertArrayEquals(new int[] {data[2], data[6], data[10]}, x.select(-1, 2).toIntArray());
            Tensor col = Tensor.fromInts(backend(), new int[] {data[0], data[11]}, 2, 1);
            assertArrayEquals(new int[] {data[0], data[0], data[0], data[11], data[11], data[11]}, col.expand(2, 3).toIntArray());
        }
    }

    /** loss = sum(narrow(x, 1, 1, 2) * w) + sum(select(x, 0, 2) * v): each gradient sits in its own slice. */
    @Test
    default void sliceGradientsLandInTheSlice() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[12], 3, 4).requiresGrad(true);
            Tensor w = tensor(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
            Tensor v = tensor(new float[] {10, 20, 30, 40}, 4);
            x.narrow(1, 1, 2).mul(w).sum().add(x.select(0, 2).mul(v).sum()).backward();
            assertArrayEquals(new float[] {0, 1, 2, 0, 0, 3, 4, 0, 10, 25, 36, 40}, x.grad().toFloatArray());
        }
    }

    /** y = expand([2, 1] to [3, 2, 4]), loss = sum(y * w): dL/dx[a] = sum of w over everything but dim 1 = a. */
    @Test
    default void expandGradientSumsTheCopies() {
        try (var s = Kiln.scope()) {
            float[] w = new float[24];
            for (int i = 0; i < w.length; i++) w[i] = i;
            Tensor x = tensor(new float[] {0, 0}, 2, 1).requiresGrad(true);
            x.expand(3, 2, 4).mul(tensor(w, 3, 2, 4)).sum().backward();
            float[] expected = new float[2];
            for (int i = 0; i < 24; i++) expected[(i / 4) % 2] += w[i];
            assertArrayEquals(expected, x.grad().toFloatArray());
        }
    }

    @Test
    default void slicingErrors() {
        rejects(() -> Functional.narrow(ones(4, 5), 1, 3, 3), "narrow", "start (3) + length (3) exceeds dimension size (5)");
        rejects(() -> Functional.narrow(ones(4, 5), 0, 6, 0), "narrow", "start out of range", "[-4, 4]", "got 6");
        rejects(() -> Functional.narrow(ones(4, 5), 0, 0, -1), "narrow", "length must be non-negative");
        rejects(() -> Functional.narrow(ones(4, 5), 2, 0, 1), "narrow", "dimension 2 out of range", "[4, 5]");
        rejects(() -> Functional.select(ones(4, 5), 1, 5), "select", "index 5 out of range for tensor of size [4, 5] at dimension 1");
        rejects(() -> Functional.select(ones(4, 5), 0, -5), "select", "index -5 out of range");
        rejects(() -> Functional.select(ones(), 0, 0), "select", "0-dim");
        rejects(() -> Functional.squeeze(ones(2, 1), 2), "squeeze", "dimension 2 out of range");
        rejects(() -> Functional.unsqueeze(ones(2, 3), 3), "unsqueeze", "dimension 3 out of range", "-3 to 2");
        rejects(() -> Functional.expand(ones(2, 3), 2, 4), "expand", "expanded size of the tensor (4) must match the existing size (3)",
                "non-singleton dimension 1", "Target sizes: [2, 4]", "Tensor sizes: [2, 3]");
        rejects(() -> Functional.expand(ones(2, 3), 3), "expand", "number of sizes provided (1)", "dimensions in the tensor (2)");
        rejects(() -> Functional.expand(ones(3), -1, 3), "expand", "(-1) isn't allowed in a leading, non-existing dimension 0");
    }
}
