package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * indexSelect, gather, scatterAdd, oneHot and embedding beyond the float cases of
 * {@link IndexingCases}: every dtype moves bit for bit, duplicate indices accumulate in the
 * gradient (the padding row excepted), scatter-add sums each element in index order (checked bit
 * for bit against a float32 loop, which an atomic or reordered sum fails), oneHot follows PyTorch,
 * and bad arguments or out-of-range indices give messages naming the op, the index and the size
 * (on CUDA raised at the next read, so each call reads its result).
 */
public interface IndexingChecks extends BackendUnderTest {

    @Test
    default void gatherMovesEveryDTypeExactly() {
        try (var s = Kiln.scope()) {
            Tensor idx = Tensor.fromLongs(backend(), new long[] {2, 0, 2}, 3);
            int[] ints = {Integer.MIN_VALUE, -1, Integer.MAX_VALUE};
            assertArrayEquals(new int[] {ints[2], ints[0], ints[2]}, Tensor.fromInts(backend(), ints, 3).indexSelect(0, idx).toIntArray());
            long[] longs = {Long.MIN_VALUE, 5_000_000_000L, Long.MAX_VALUE};
            assertArrayEquals(new long[] {longs[2], longs[0], longs[2]}, Tensor.fromLongs(backend(), longs, 3).indexSelect(0, idx).toLongArray());
            Tensor mask = Tensor.fromBooleans(backend(), new boolean[] {true, false, false, true, false, true}, 2, 3);
            assertArrayEquals(new boolean[] {false, true, true, true, false, false},
                    mask.gather(1, Tensor.fromInts(backend(), new int[] {1, 0, 0, 2, 1, 1}, 2, 3)).toBooleanArray());
            float[] nan = {Float.intBitsToFloat(0x7fc00123), -0f, Float.NEGATIVE_INFINITY};
            float[] got = tensor(nan, 3).indexSelect(0, idx).toFloatArray();
            assertEquals(Float.floatToRawIntBits(nan[0]), Float.floatToRawIntBits(got[1]), "NaN payload moved bit for bit");
            assertEquals(Float.NEGATIVE_INFINITY, got[0]);
        }
    }

    /** y = indexSelect(x, 0, [0, 0, 2, 0]), loss = sum(y): x[0] was used three times. */
    @Test
    default void duplicateIndicesAccumulateGradients() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {1, 2, 3}, 3).requiresGrad(true);
            x.indexSelect(0, Tensor.fromLongs(backend(), new long[] {0, 0, 2, 0}, 4)).backward(ones(4));
            assertArrayEquals(new float[] {3, 0, 1}, x.grad().toFloatArray());
            Tensor m = tensor(new float[6], 2, 3).requiresGrad(true);
            m.gather(1, Tensor.fromInts(backend(), new int[] {2, 2, 2, 0, 1, 0}, 2, 3)).backward(tensor(new float[] {1, 2, 4, 8, 16, 32}, 2, 3));
            assertArrayEquals(new float[] {0, 0, 7, 40, 16, 0}, m.grad().toFloatArray());
        }
    }

    /** Tokens [1, 0, 1, 3, 0] with padding row 0: rows 1 and 3 get 2x and 1x the gradient, row 0 (used twice) nothing. */
    @Test
    default void embeddingPaddingRowGetsNoGradient() {
        try (var s = Kiln.scope()) {
            Tensor w = tensor(new float[] {9, 9, 1, 1, 2, 2, 3, 3}, 4, 2).requiresGrad(true);
            Tensor y = Functional.embedding(Tensor.fromLongs(backend(), new long[] {1, 0, 1, 3, 0}, 5), w, 0);
            assertArrayEquals(new float[] {1, 1, 9, 9, 1, 1, 3, 3, 9, 9}, y.toFloatArray(), "the padding row is still looked up");
            y.backward(tensor(new float[] {1, 10, 100, 1000, 2, 20, 3, 30, 4, 40}, 5, 2));
            assertArrayEquals(new float[] {0, 0, 3, 30, 0, 0, 3, 30}, w.grad().toFloatArray());
            assertArrayEquals(new int[] {2}, Functional.embedding(Tensor.fromInts(backend(), new int[] {3}), w).shape(), "0-dim index");
        }
    }

    /**
     * Column 0 receives 1e8, 1, -1e8, 1 in that order: in float32 (1e8 + 1) rounds back to 1e8, so
     * the index-order sum is 1, any other order 0 or 2. A larger random case must equal a float32
     * loop in index order bit for bit.
     */
    @Test
    default void scatterAddSumsInIndexOrder() {
        try (var s = Kiln.scope()) {
            Tensor self = tensor(new float[2], 2);
            Tensor idx = Tensor.fromLongs(backend(), new long[] {0, 0, 1, 0, 0}, 5);
            assertArrayEquals(new float[] {1, 5}, self.scatterAdd(0, idx, tensor(new float[] {1e8f, 1f, 5f, -1e8f, 1f}, 5)).toFloatArray());

            int rows = 5, count = 3000, cols = 7;
            java.util.Random rnd = new java.util.Random(3);
            float[] src = new float[count * cols];
            int[] index = new int[count * cols];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(6)));
                index[i] = rnd.nextInt(rows);
            }
            float[] expected = new float[rows * cols];
            for (int k = 0; k < count; k++) {
                for (int c = 0; c < cols; c++) expected[index[k * cols + c] * cols + c] += src[k * cols + c];
            }
            Tensor out = tensor(new float[rows * cols], rows, cols)
                    .scatterAdd(0, Tensor.fromInts(backend(), index, count, cols), tensor(src, count, cols));
            Compare.assertBitIdentical("scatterAdd vs float32 loop in index order", expected, out.toFloatArray());
            long[] shared = new long[count];
            float[] expectedRows = new float[rows * cols];
            for (int k = 0; k < count; k++) {
                shared[k] = index[k * cols];
                for (int c = 0; c < cols; c++) expectedRows[(int) shared[k] * cols + c] += src[k * cols + c];
            }
            Tensor w = tensor(new float[rows * cols], rows, cols).requiresGrad(true);
            Functional.embedding(Tensor.fromLongs(backend(), shared, count), w).backward(tensor(src, count, cols));
            Compare.assertBitIdentical("embedding backward vs float32 loop in index order", expectedRows, w.grad().toFloatArray());
        }
    }

    @Test
    default void scatterAddGradients() {
        try (var s = Kiln.scope()) {
            Tensor self = tensor(new float[3], 3).requiresGrad(true);
            Tensor src = tensor(new float[4], 4).requiresGrad(true);
            Tensor idx = Tensor.fromInts(backend(), new int[] {2, 2, 0}, 3);
            self.scatterAdd(0, idx, src).backward(tensor(new float[] {1, 2, 3}, 3));
            assertArrayEquals(new float[] {1, 2, 3}, self.grad().toFloatArray());
            assertArrayEquals(new float[] {3, 3, 1, 0}, src.grad().toFloatArray(), "src gathers the gradient; its 4th entry is unused");
            Tensor constant = tensor(new float[3], 3);
            Tensor src2 = tensor(new float[3], 3).requiresGrad(true);
            constant.scatterAdd(0, idx, src2).backward(tensor(new float[] {1, 2, 3}, 3));
            assertNull(constant.grad());
            assertArrayEquals(new float[] {3, 3, 1}, src2.grad().toFloatArray());
        }
    }

    @Test
    default void oneHotFollowsPyTorch() {
        try (var s = Kiln.scope()) {
            Tensor t = Tensor.fromLongs(backend(), new long[] {2, 0, 1, 2}, 2, 2).oneHot(4);
            assertEquals(DType.INT64, t.dtype());
            assertArrayEquals(new int[] {2, 2, 4}, t.shape());
            assertArrayEquals(new long[] {0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, t.toLongArray());
            Tensor inferred = Tensor.fromInts(backend(), new int[] {1, 3}, 2).oneHot(-1);
            assertArrayEquals(new int[] {2, 4}, inferred.shape());
            assertArrayEquals(new long[] {0, 1, 0, 0, 0, 0, 0, 1}, inferred.toLongArray());
            assertArrayEquals(new long[] {0, 0, 1}, Tensor.fromLongs(backend(), new long[] {2}).oneHot(3).toLongArray());
            assertArrayEquals(new int[] {0, 3}, Tensor.fromLongs(backend(), new long[0], 0).oneHot(3).shape());
        }
    }

    @Test
    default void indexErrorsNameOpIndexAndSize() {
        rejects(() -> ones(3, 4).indexSelect(0, Tensor.fromLongs(backend(), new long[] {1, 5}, 2)).toFloatArray(),
                "indexSelect: index 5 is out of bounds for dimension 0 with size 3");
        rejects(() -> ones(3, 4).indexSelect(-1, Tensor.fromInts(backend(), new int[] {-1}, 1)).toFloatArray(),
                "indexSelect: index -1 is out of bounds for dimension 1 with size 4");
        rejects(() -> ones(3, 4).gather(1, Tensor.fromLongs(backend(), new long[] {0, 4}, 1, 2)).toFloatArray(),
                "gather: index 4 is out of bounds for dimension 1 with size 4");
        rejects(() -> ones(3).scatterAdd(0, Tensor.fromLongs(backend(), new long[] {3}, 1), ones(1)).toFloatArray(),
                "scatterAdd: index 3 is out of bounds for dimension 0 with size 3");
        rejects(() -> Functional.embedding(Tensor.fromLongs(backend(), new long[] {0, 7}, 2), ones(7, 2)).toFloatArray(),
                "embedding: index 7 is out of bounds for dimension 0 with size 7");
        rejects(() -> Tensor.fromLongs(backend(), new long[] {1, -2}, 2).oneHot(3).toLongArray(), "oneHot: class values must be non-negative, got -2");
        rejects(() -> Tensor.fromLongs(backend(), new long[] {1, 3}, 2).oneHot(3).toLongArray(),
                "oneHot: class values must be smaller than num_classes (3), got 3");
        rejects(() -> Tensor.fromLongs(backend(), new long[] {1, -2}, 2).oneHot(-1).toLongArray(), "oneHot: class values must be non-negative");
        // A failed op leaves the backend usable, with no error left pending.
        try (var s = Kiln.scope()) {
            assertArrayEquals(new float[] {1, 1}, ones(3, 1).indexSelect(0, Tensor.fromLongs(backend(), new long[] {2, 0}, 2)).toFloatArray());
        }
    }

    @Test
    default void indexArgumentErrors() {
        try (var s = Kiln.scope()) {
            argumentErrors(tensor(new float[] {0}, 1));
        }
    }

    private void argumentErrors(Tensor floatIndex) {
        rejects(() -> ones(3).indexSelect(0, floatIndex), "indexSelect", "expected index of dtype INT32 or INT64, got FLOAT32");
        rejects(() -> ones(3).indexSelect(0, Tensor.fromLongs(backend(), new long[] {0}, 1, 1)), "indexSelect", "supposed to be a vector", "[1, 1]");
        rejects(() -> ones(3).indexSelect(1, Tensor.fromLongs(backend(), new long[] {0}, 1)), "indexSelect", "dimension 1 out of range");
        rejects(() -> ones(3, 4).gather(1, Tensor.fromLongs(backend(), new long[] {0}, 1)), "gather",
                "same number of dimensions as input tensor (index [1], input [3, 4])");
        rejects(() -> ones(3, 4).gather(1, Tensor.fromLongs(backend(), new long[8], 4, 2)), "gather",
                "size does not match at dimension 0 expected index [4, 2] to be smaller than self [3, 4] apart from dimension 1");
        rejects(() -> ones(3, 4).scatterAdd(1, Tensor.fromLongs(backend(), new long[4], 2, 2), ones(1, 1)), "scatterAdd",
                "expected index [2, 2] to be smaller than self [3, 4] apart from dimension 1 and to be smaller size than src [1, 1]");
        rejects(() -> ones(3, 4).scatterAdd(1, Tensor.fromLongs(backend(), new long[3], 3), ones(3)), "scatterAdd",
                "same number of dimensions as self and src");
        rejects(() -> ones(3).scatterAdd(0, Tensor.fromLongs(backend(), new long[1], 1), Tensor.fromInts(backend(), new int[1], 1)),
                "scatterAdd", "expected FLOAT32 tensors, got INT32");
        rejects(() -> Functional.embedding(floatIndex, ones(3, 2)), "embedding", "expected indices of dtype INT32 or INT64, got FLOAT32");
        rejects(() -> Functional.embedding(Tensor.fromLongs(backend(), new long[1], 1), ones(3)), "embedding", "'weight' must be 2-D, got shape [3]");
        rejects(() -> Functional.embedding(Tensor.fromLongs(backend(), new long[1], 1), ones(3, 2), 3), "embedding",
                "padding_idx must be within num_embeddings (3), got 3");
        rejects(() -> Functional.embedding(Tensor.fromLongs(backend(), new long[1], 1), ones(3, 2), -4), "embedding", "got -4");
        rejects(() -> floatIndex.oneHot(2), "oneHot", "only applicable to index tensors", "FLOAT32");
        rejects(() -> Tensor.fromLongs(backend(), new long[0], 0).oneHot(-1), "oneHot", "can not infer total number of classes from empty tensor");
        rejects(() -> Tensor.fromLongs(backend(), new long[1], 1).oneHot(-2), "oneHot", "num_classes must be -1", "got -2");
    }
}
