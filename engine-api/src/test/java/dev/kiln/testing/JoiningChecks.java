package dev.kiln.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.Kiln;
import dev.kiln.ops.Functional;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * cat, stack, split and chunk beyond the float cases of {@link JoiningCases}: INT32 moves bit for
 * bit, gradients of every split piece add up in the input, a cat input without requiresGrad gets
 * no gradient, piece counts follow PyTorch, and bad arguments give PyTorch's messages.
 */
public interface JoiningChecks extends BackendUnderTest {

    @Test
    default void catMovesInt32Exactly() {
        try (var s = Kiln.scope()) {
            Tensor a = Tensor.fromInts(backend(), new int[] {Integer.MIN_VALUE, 1, 2, 3}, 2, 2);
            Tensor b = Tensor.fromInts(backend(), new int[] {Integer.MAX_VALUE, -7}, 2, 1);
            assertArrayEquals(new int[] {Integer.MIN_VALUE, 1, Integer.MAX_VALUE, 2, 3, -7}, Tensor.cat(1, a, b).toIntArray());
            assertArrayEquals(new int[] {2, 2, 2}, Tensor.stack(0, a, a).shape());
        }
    }

    /** x [5] split by 2: loss = sum of piece k times (k + 1): the gradient is 1, 1, 2, 2, 3. */
    @Test
    default void splitGradientsAddUp() {
        try (var s = Kiln.scope()) {
            Tensor x = tensor(new float[5], 5).requiresGrad(true);
            Tensor[] parts = x.split(2, 0);
            assertEquals(3, parts.length);
            Tensor loss = null;
            for (int k = 0; k < parts.length; k++) {
                Tensor term = parts[k].mul(Tensor.full(backend(), k + 1f, parts[k].shape())).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            assertArrayEquals(new float[] {1, 1, 2, 2, 3}, x.grad().toFloatArray());
        }
    }

    /** loss = sum(cat(a, c) * w) with c constant: a gets its block of w, c nothing. */
    @Test
    default void catGradientGoesToEachBlock() {
        try (var s = Kiln.scope()) {
            Tensor a = tensor(new float[4], 2, 2).requiresGrad(true);
            Tensor c = tensor(new float[2], 2, 1);
            Tensor.cat(-1, a, c).mul(tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)).sum().backward();
            assertArrayEquals(new float[] {1, 2, 4, 5}, a.grad().toFloatArray());
            assertNull(c.grad());
        }
    }

    @Test
    default void pieceCountsFollowPyTorch() {
        try (var s = Kiln.scope()) {
            assertEquals(3, ones(6, 2).chunk(4, 0).length);   // ceil(6 / 4) = 2 per piece
            assertEquals(5, ones(5).chunk(7, 0).length);      // fewer pieces than asked
            assertEquals(1, ones(0, 3).split(0, 0).length);
            assertArrayEquals(new int[] {0, 3}, ones(0, 3).chunk(2, 0)[0].shape());
        }
    }

    @Test
    default void joiningErrors() {
        rejects(() -> Functional.cat(0), "cat", "non-empty list");
        rejects(() -> Functional.cat(1, ones(2, 3), ones(3, 3)), "cat", "sizes of tensors must match except in dimension 1",
                "Expected size 2 but got size 3 for tensor number 1");
        rejects(() -> Functional.cat(0, ones(2, 3), ones(3)), "cat", "same number of dimensions: got 2 and 1");
        rejects(() -> Functional.cat(2, ones(2, 3)), "cat", "dimension 2 out of range");
        rejects(() -> Functional.cat(0, ones(2), Tensor.fromInts(backend(), new int[] {1}, 1)), "cat", "dtype FLOAT32", "INT32");
        rejects(() -> Functional.stack(0, ones(2, 3), ones(2, 4)), "stack", "equal size", "[2, 3] at entry 0 and [2, 4] at entry 1");
        rejects(() -> Functional.stack(3, ones(2, 3)), "stack", "dimension 3 out of range");
        rejects(() -> Functional.split(ones(4), -1, 0), "split", "non-negative", "split_size=-1");
        rejects(() -> Functional.split(ones(4), 0, 0), "split", "only be 0 if dimension size is 0", "size of 4");
        rejects(() -> Functional.chunk(ones(4), 0, 0), "chunk", "greater than 0, got: 0");
        rejects(() -> Functional.chunk(ones(4), 2, 1), "chunk", "dimension 1 out of range");
    }
}
