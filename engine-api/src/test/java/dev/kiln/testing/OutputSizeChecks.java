package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Kiln;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Padding;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked results: the seed documents' convolution example, pooling values worked on
 * paper, and output sizes from {@code floor((H + pb + pa - d(k-1) - 1)/s) + 1} (and its
 * ceil-mode variant) computed by hand, each checked against Kiln's output shape and the
 * reference's formula.
 */
public interface OutputSizeChecks extends BackendUnderTest {

    /** [[1,2,3],[4,5,6],[7,8,9]] cross-correlated with [[1,2],[3,4]]: 1+4+12+20 = 37, 2+6+15+24 = 47, ... */
    @Test
    default void workedExampleConvolution() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
            Tensor w = tensor(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
            Tensor y = Functional.conv2d(x, w, null, Conv2dOptions.defaults());
            assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
            assertArrayEquals(new float[] {37, 47, 67, 77}, y.toFloatArray());
        }
    }

    /** 2x2 max pooling of 0..15 in a 4x4 grid picks each block's bottom-right cell. */
    @Test
    default void workedExampleMaxPool() {
        try (var s = Kiln.scope()) {
            float[] v = new float[16];
            for (int i = 0; i < 16; i++) v[i] = i;
            Tensor y = Functional.maxPool2d(tensor(v, 1, 1, 4, 4), Pool2dOptions.kernel(2));
            assertArrayEquals(new float[] {5, 7, 13, 15}, y.toFloatArray());
        }
    }

    /**
     * [[1,2],[3,4]] with a 2x2 window, stride 2, padding 1: each window holds one real cell and
     * three padded ones, so counting padding divides by 4, not counting it by 1.
     */
    @Test
    default void workedExampleAvgPoolPadding() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
            Pool2dOptions o = Pool2dOptions.kernel(2).stride(2).padding(1);
            assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 1f}, Functional.avgPool2d(x, o.countIncludePad(true)).toFloatArray());
            assertArrayEquals(new float[] {1, 2, 3, 4}, Functional.avgPool2d(x, o.countIncludePad(false)).toFloatArray());
        }
    }

    /**
     * 1..9 in 3x3, 2x2 windows, stride 2, ceil mode: 2x2 outputs whose right and bottom windows
     * hang off the input and average only their real cells: (1+2+4+5)/4, (3+6)/2, (7+8)/2, 9/1.
     */
    @Test
    default void workedExampleAvgPoolCeilMode() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
            Tensor y = Functional.avgPool2d(x, Pool2dOptions.kernel(2).ceilMode(true));
            assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
            assertArrayEquals(new float[] {3, 4.5f, 7.5f, 9}, y.toFloatArray());
        }
    }

    /** Convolution output sizes worked by hand: {H, k, stride, padBefore, padAfter, dilation, expected}. */
    @Test
    default void convolutionOutputSizes() {
        int[][] cases = {
            {28, 3, 1, 0, 0, 1, 26},  // (28 - 2 - 1)/1 + 1
            {28, 3, 2, 1, 1, 1, 14},  // (28 + 2 - 2 - 1)/2 = 13.5 -> 13, + 1
            {7, 3, 1, 0, 0, 2, 3},    // dilated kernel spans 5: (7 - 4 - 1)/1 + 1
            {5, 2, 2, 2, 0, 1, 3},    // asymmetric: (5 + 2 - 1 - 1)/2 = 2.5 -> 2, + 1
            {10, 5, 3, 1, 1, 1, 3},   // (10 + 2 - 4 - 1)/3 = 2.33 -> 2, + 1
            {4, 4, 1, 0, 0, 1, 1},    // kernel = input
            {9, 3, 2, 0, 3, 2, 4},    // (9 + 3 - 4 - 1)/2 = 3.5 -> 3, + 1
        };
        for (int[] c : cases) {
            assertEquals(c[6], RefConv.outSize(c[0], c[1], c[2], c[3], c[4], c[5]), "reference formula for " + java.util.Arrays.toString(c));
            try (var s = Kiln.scope()) {
                // The case along H; along W the same numbers with the roles of before/after swapped.
                Tensor x = Tensor.full(backend(), 1f, 1, 1, c[0], c[0]);
                Tensor w = Tensor.full(backend(), 1f, 1, 1, c[1], c[1]);
                Conv2dOptions o = Conv2dOptions.defaults().stride(c[2]).dilation(c[5]).padding(Padding.of(c[3], c[4], c[4], c[3]));
                assertArrayEquals(new int[] {1, 1, c[6], c[6]}, Functional.conv2d(x, w, null, o).shape(), "conv2d " + java.util.Arrays.toString(c));
            }
        }
    }

    /** Pooling output sizes worked by hand: {H, k, stride, pad, dilation, floor-mode size, ceil-mode size}. */
    @Test
    default void poolingOutputSizes() {
        int[][] cases = {
            {5, 2, 2, 0, 1, 2, 3},  // (5 - 1 - 1)/2 = 1.5: floor 1 + 1, ceil 2 + 1; last window starts at 4 < 5
            {5, 2, 2, 1, 1, 3, 3},  // 5/2 = 2.5: ceil gives 4, but window 3 would start at 6 >= 5 + 1 (padding): dropped
            {6, 3, 2, 1, 1, 3, 4},  // (6 + 2 - 2 - 1)/2 = 2.5: floor 3, ceil 4 (starts at 6 < 7)
            {7, 3, 3, 0, 1, 2, 3},  // 4/3: floor 1 + 1, ceil 2 + 1 (starts at 6 < 7)
            {9, 3, 2, 1, 2, 4, 4},  // dilation 2: (9 + 2 - 4 - 1)/2 = 3 exactly
            {4, 4, 1, 0, 1, 1, 1},  // kernel = input
        };
        for (int[] c : cases) {
            for (boolean ceil : new boolean[] {false, true}) {
                int expected = ceil ? c[6] : c[5];
                String what = (ceil ? "ceil " : "floor ") + java.util.Arrays.toString(c);
                assertEquals(expected, RefPool.outSize(c[0], c[1], c[2], c[3], c[4], ceil), "reference formula, " + what);
                try (var s = Kiln.scope()) {
                    Tensor x = Tensor.full(backend(), 1f, 1, 1, c[0], c[0]);
                    Pool2dOptions o = Pool2dOptions.kernel(c[1]).stride(c[2]).padding(c[3]).dilation(c[4]).ceilMode(ceil);
                    assertArrayEquals(new int[] {1, 1, expected, expected}, Functional.maxPool2d(x, o).shape(), "max_pool2d " + what);
                    if (c[4] == 1) {
                        assertArrayEquals(new int[] {1, 1, expected, expected}, Functional.avgPool2d(x, o).shape(), "avg_pool2d " + what);
                    }
                }
            }
        }
    }
}
