package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.Kiln;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Broadcasting edge cases: a size-0 dimension against size 1 stays 0 (NumPy), scalars against scalars. */
public interface BroadcastChecks extends BackendUnderTest {

    @Test
    default void zeroAgainstOneIsZero() {
        assertArrayEquals(new int[] {0, 3}, Shape.broadcast("add", new int[] {0, 3}, new int[] {1, 3}));
        assertArrayEquals(new int[] {0, 3}, Shape.broadcast("add", new int[] {1, 3}, new int[] {0, 3}));
        assertArrayEquals(new int[] {2, 0}, Shape.broadcast("add", new int[] {2, 1}, new int[] {0}));
        assertArrayEquals(new int[] {0}, Shape.broadcast("add", new int[] {0}, new int[] {}));
        assertThrows(IllegalArgumentException.class, () -> Shape.broadcast("add", new int[] {0}, new int[] {2}));
        for (int[][] p : new int[][][] {{{0, 3}, {1, 3}}, {{2, 1}, {0}}, {{0}, {1}}}) {
            assertArrayEquals(RefMath.broadcastShape(p[0], p[1]), Shape.broadcast("add", p[0], p[1]), "reference and Kiln agree");
        }
    }

    /** Ops on an empty broadcast produce empty outputs, and the size-1 operand gets a zero gradient. */
    @Test
    default void emptyBroadcastForwardAndBackward() {
        try (var s = Kiln.scope()) {
            Tensor a = tensor(new float[0], 0, 3);
            Tensor b = tensor(new float[] {1, 2, 3}, 1, 3).requiresGrad(true);
            Tensor y = a.mul(b);
            assertArrayEquals(new int[] {0, 3}, y.shape());
            y.sum().backward();
            assertArrayEquals(new int[] {1, 3}, b.grad().shape());
            assertArrayEquals(new float[3], b.grad().toFloatArray());
            assertArrayEquals(new int[] {0, 3}, tensor(new float[0], 0, 1).add(tensor(new float[3], 3)).shape());
        }
    }

    @Test
    default void scalarsBroadcast() {
        try (var s = Kiln.scope()) {
            Tensor y = tensor(new float[] {2}).mul(tensor(new float[] {3}));
            assertArrayEquals(new int[0], y.shape());
            assertArrayEquals(new float[] {6}, y.toFloatArray());
        }
    }
}
