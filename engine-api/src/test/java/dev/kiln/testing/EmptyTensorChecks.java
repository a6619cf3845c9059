package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Size-0 dimensions: ops give empty (or, for sums and products over an empty dimension, zero)
 * results with the right shapes, stay in the graph, and backpropagate gradients of their
 * inputs' shapes (zero where an input is shared by no element).
 */
public interface EmptyTensorChecks extends BackendUnderTest {

    private Tensor param(int... shape) {
        return Tensor.full(backend(), 1f, shape).requiresGrad(true);
    }

    @Test
    default void matmulOverEmptyDimensions() {
        try (var s = Kiln.scope()) {
            Tensor a = param(2, 0), b = param(0, 3);
            Tensor y = a.matmul(b); // a sum over k = 0 products
            assertArrayEquals(new float[6], y.toFloatArray());
            y.sum().backward();
            assertArrayEquals(new int[] {2, 0}, a.grad().shape());
            assertArrayEquals(new int[] {0, 3}, b.grad().shape());
        }
        int[][][] pairs = {{{2, 3}, {0, 3, 4}}, {{0, 2, 3}, {0, 3, 4}}, {{0, 2, 3}, {3, 4}}, {{0, 3}, {3, 2}}};
        for (int[][] p : pairs) {
            try (var s = Kiln.scope()) {
                Tensor a = param(p[0]), b = param(p[1]);
                Tensor y = a.matmul(b);
                assertTrue(y.numel() == 0, "empty product");
                y.sum().backward();
                assertArrayEquals(p[0], a.grad().shape());
                assertArrayEquals(p[1], b.grad().shape());
                assertArrayEquals(new float[(int) a.numel()], a.grad().toFloatArray(), "a shared operand of an empty batch gets a zero gradient");
                assertArrayEquals(new float[(int) b.numel()], b.grad().toFloatArray());
            }
        }
    }

    @Test
    default void reductionsAndSoftmaxOfEmptyTensors() {
        try (var s = Kiln.scope()) {
            Tensor x = param(0, 3);
            Tensor col = x.sum(false, 0);
            assertArrayEquals(new float[3], col.toFloatArray(), "a sum over no elements is 0");
            col.sum().backward();
            assertArrayEquals(new int[] {0, 3}, x.grad().shape());
            Tensor sm = param(0, 3);
            Tensor y = sm.softmax(1);
            assertTrue(y.requiresGrad(), "an empty softmax output still joins the graph");
            y.sum().backward();
            assertArrayEquals(new int[] {0, 3}, sm.grad().shape());
            Tensor lin = Functional.linear(param(0, 4), param(3, 4), param(3));
            assertArrayEquals(new int[] {0, 3}, lin.shape());
        }
    }
}
