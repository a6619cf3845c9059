package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.ValuesAndIndices;
import org.junit.jupiter.api.Test;

/**
 * max/min/argmax/argmin/topk beyond the float cases of {@link SelectionCases}: INT64 indices and
 * their shapes, PyTorch's tie-breaking (first index) and NaN rules (expected values worked out by
 * hand and checked against PyTorch 1.13), gradients routed to the selected index, the unchanged
 * INT32 row-wise argmax, logsumexp at infinities, N-D matmul worked examples, and error messages.
 */
public interface SelectionChecks extends BackendUnderTest {

    @Test
    default void maxAndMinGiveInt64IndicesFirstOnTies() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {2, 7, 7, 1, 4, 4, 9, 4, 0}, 3, 3);
            ValuesAndIndices mx = x.max(1, false);
            assertEquals(DType.INT64, mx.indices().dtype());
            assertArrayEquals(new float[] {7, 4, 9}, mx.values().toFloatArray());
            assertArrayEquals(new long[] {1, 1, 0}, mx.indices().toLongArray());
            ValuesAndIndices mn = x.min(0, true);
            assertArrayEquals(new int[] {1, 3}, mn.values().shape());
            assertArrayEquals(new int[] {1, 3}, mn.indices().shape());
            assertArrayEquals(new float[] {1, 4, 0}, mn.values().toFloatArray());
            assertArrayEquals(new long[] {1, 1, 2}, mn.indices().toLongArray());
            Tensor am = x.argmax(0, false);
            assertEquals(DType.INT64, am.dtype());
            assertArrayEquals(new long[] {2, 0, 0}, am.toLongArray());
            assertArrayEquals(new long[] {1, 1, 0}, x.argmax(-1, false).toLongArray());
            assertArrayEquals(new int[] {3, 1}, x.argmin(1, true).shape());
            assertArrayEquals(new long[] {0, 0, 2}, x.argmin(1, false).toLongArray());
        }
    }

    /** PyTorch 1.13: max([1, nan, 3, nan]) = (nan, 1) and min = (nan, 1); topk puts NaN above every number. */
    @Test
    default void nanPropagatesLikePyTorch() {
        try (var s = Kiln.scope()) {
            float nan = Float.NaN;
            Tensor x = tensor(new float[] {1, nan, 3, nan, 2, 2, 1, 1}, 2, 4);
            ValuesAndIndices mx = x.max(1, false), mn = x.min(1, false);
            assertTrue(Float.isNaN(mx.values().toFloatArray()[0]) && Float.isNaN(mn.values().toFloatArray()[0]));
            assertArrayEquals(new long[] {1, 0}, mx.indices().toLongArray());
            assertArrayEquals(new long[] {1, 2}, mn.indices().toLongArray());
            Tensor xt = x.transpose(0, 1);  // the same lines along dim 0 (strided lines: inner > 1)
            assertArrayEquals(new long[] {1, 0}, xt.max(0, false).indices().toLongArray());
            assertArrayEquals(new long[] {1, 2}, xt.argmin(0, false).toLongArray());
            ValuesAndIndices top = x.topk(2, 1, true, true);
            assertArrayEquals(new long[] {1, 3, 0, 1}, top.indices().toLongArray());  // ties by index (PyTorch leaves their order open)
            assertArrayEquals(new long[] {0, 2, 2, 3}, x.topk(2, 1, false, true).indices().toLongArray());
            assertTrue(Float.isNaN(x.max().item()));
        }
    }

    @Test
    default void topkOrdersByValueThenIndex() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {3, -1, 5, 3, 0, -0f, 5, 2}, 8);
            ValuesAndIndices top = x.topk(5, 0, true, true);
            assertArrayEquals(new float[] {5, 5, 3, 3, 2}, top.values().toFloatArray());
            assertArrayEquals(new long[] {2, 6, 0, 3, 7}, top.indices().toLongArray());
            ValuesAndIndices low = x.topk(3, 0, false, true);
            assertArrayEquals(new long[] {1, 4, 5}, low.indices().toLongArray());  // -0.0 ties with 0.0: by index
            assertArrayEquals(new int[] {0}, x.topk(0, 0, true, true).values().shape());
            Tensor cols = tensor(new float[] {1, 6, 4, 2, 3, 5}, 3, 2);
            ValuesAndIndices c = cols.topk(2, 0, true, true);
            assertArrayEquals(new int[] {2, 2}, c.values().shape());
            assertArrayEquals(new float[] {4, 6, 3, 5}, c.values().toFloatArray());
            assertArrayEquals(new long[] {1, 0, 2, 2}, c.indices().toLongArray());
        }
    }

    /** The values' gradient lands on the selected index only, the first of tied maxima. */
    @Test
    default void selectionGradientsGoToTheChosenIndex() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {1, 5, 5, 2, 0, 3}, 2, 3).requiresGrad(true);
            x.max(1, false).values().mul(tensor(new float[] {10, 20}, 2)).sum().backward();
            assertArrayEquals(new float[] {0, 10, 0, 0, 0, 20}, x.grad().toFloatArray());
            Tensor y = tensor(new float[] {1, 5, 5, 2, 0, 3}, 2, 3).requiresGrad(true);
            y.topk(2, 1, true, true).values().mul(tensor(new float[] {1, 2, 3, 4}, 2, 2)).sum().backward();
            assertArrayEquals(new float[] {0, 1, 2, 4, 0, 3}, y.grad().toFloatArray());
            Tensor z = tensor(new float[] {4, 1, 4}, 3).requiresGrad(true);
            z.max().backward();
            assertArrayEquals(new float[] {1, 0, 0}, z.grad().toFloatArray());
            Tensor w = tensor(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
            w.min(0, true).values().sum().backward();
            assertArrayEquals(new float[] {1, 1, 0, 0}, w.grad().toFloatArray());
        }
    }

    /** The row-wise argmax() the Trainer's accuracy uses keeps returning INT32 [N]. */
    @Test
    default void rowArgmaxStaysInt32() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[] {0, 3, 3, 9, 1, 2}, 2, 3);
            assertEquals(DType.INT32, x.argmax().dtype());
            assertArrayEquals(new int[] {1, 0}, x.argmax().toIntArray());
            assertArrayEquals(new long[] {1, 0}, x.argmax(1, false).toLongArray());
        }
    }

    @Test
    default void zeroDimAndInfinities() {
        try (var s = Kiln.scope()) {
            Tensor scalar = Tensor.full(backend(), 5f);
            ValuesAndIndices m = scalar.max(0, false);
            assertArrayEquals(new int[0], m.values().shape());
            assertEquals(5f, m.values().item());
            assertArrayEquals(new long[] {0}, m.indices().toLongArray());
            float inf = Float.POSITIVE_INFINITY;
            Tensor x = tensor(new float[] {-inf, -inf, inf, 1}, 2, 2);
            assertArrayEquals(new float[] {-inf, inf}, x.logsumexp(1, false).toFloatArray());
            assertEquals((float) (1000 + Math.log(2)), tensor(new float[] {1000, 1000}, 2).logsumexp(0, false).item(), 1e-3f);
        }
    }

    /** [2, 1, 2, 2] @ [3, 2, 1]: batch dims broadcast to [2, 3]; a 1-D right operand is a column. */
    @Test
    default void matmulWorkedExamples() {
        try (var s = Kiln.scope()) {
            Tensor a = tensor(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 1, 2, 2);
            Tensor b = tensor(new float[] {1, 0, 0, 1, 1, 1}, 3, 2, 1);
            Tensor y = a.matmul(b);
            assertArrayEquals(new int[] {2, 3, 2, 1}, y.shape());
            assertArrayEquals(new float[] {1, 3, 2, 4, 3, 7, 5, 7, 6, 8, 11, 15}, y.toFloatArray());
            assertArrayEquals(new int[0], tensor(new float[] {1, 2}, 2).matmul(tensor(new float[] {3, 4}, 2)).shape());
            assertEquals(11f, tensor(new float[] {1, 2}, 2).matmul(tensor(new float[] {3, 4}, 2)).item());
            assertArrayEquals(new float[] {5, 11, 17, 23}, a.matmul(tensor(new float[] {1, 2}, 2)).toFloatArray());
            assertArrayEquals(new int[] {2, 1, 2}, a.matmul(tensor(new float[] {1, 2}, 2)).shape());
        }
    }

    /** A broadcast operand's gradient is summed over the batch entries that shared it. */
    @Test
    default void matmulGradientSumsOverBroadcastDims() {
        try (var s = Kiln.scope()) {
            Tensor a = tensor(new float[] {1, 2, 3, 4}, 1, 2, 2).requiresGrad(true);   // shared by 3 entries
            Tensor b = tensor(new float[] {1, 0, 0, 1, 2, 0, 0, 2, 1, 1, 1, 1}, 3, 2, 2).requiresGrad(true);
            a.matmul(b).sum().backward();
            // d sum / d a[i, p] = sum over entries q and columns j of b_q[p, j]: row sums of b summed over q.
            assertArrayEquals(new float[] {5, 5, 5, 5}, a.grad().toFloatArray());
            assertArrayEquals(new int[] {1, 2, 2}, a.grad().shape());
            // d sum / d b_q[p, j] = sum over i of a[i, p]: the column sums of a, 4 and 6, for every entry.
            assertArrayEquals(new float[] {4, 4, 6, 6, 4, 4, 6, 6, 4, 4, 6, 6}, b.grad().toFloatArray());
        }
    }

    @Test
    default void selectionAndMatmulErrors() {
        rejects(() -> ones(2, 0).max(1, false), "max", "Expected reduction dim 1 to have non-zero size");
        rejects(() -> ones(2, 0).argmin(1, false), "argmin", "non-zero size");
        rejects(() -> ones(0, 3).max(), "max", "numel() == 0", "'dim'");
        rejects(() -> ones(2, 3).max(2, false), "max", "dimension 2 out of range", "[2, 3]");
        rejects(() -> ones(2, 3).topk(4, 1, true, true), "topk", "selected index k out of range", "k=4", "size 3");
        rejects(() -> ones(2, 3).topk(-1), "topk", "selected index k out of range");
        rejects(() -> Tensor.fromInts(backend(), new int[] {1, 2}, 2).max(0, false), "max", "FLOAT32", "INT32");
        rejects(() -> Functional.matmul(ones(2, 3), ones(4)), "matmul", "[2, 3]", "[4]", "3 != 4");
        rejects(() -> Functional.matmul(ones(2, 2, 3), ones(3, 3, 4)), "matmul", "batch", "size of a (2)", "size of b (3)",
                "[2, 2, 3]", "[3, 3, 4]");
        rejects(() -> Functional.matmul(Tensor.full(backend(), 1f), ones(4, 5)), "matmul", "at least 1-D", "0-D and 2-D");
        rejects(() -> Functional.bmm(ones(2, 3), ones(2, 3, 4)), "bmm", "3-D", "batch1", "[2, 3]");
        rejects(() -> Functional.bmm(ones(2, 2, 3), ones(3, 3, 5)), "bmm", "batch2", "[2, 3] but got: [3, 3]");
    }
}
