package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The examples of {@link dev.kiln.tensor.Scope}'s javadoc, run as tests. */
@SuppressWarnings("try") // the examples name their scopes (try (var scope = ...)) for readers
class ScopeSnippetsTest {
    @Test
    void scopeFreesIntermediates() {
        try (Module model = new Linear(3, 2, true, new Generator(1), Kiln.backend());
             Tensor x = Tensor.fromArray(new float[] {1, 2, 3, -1, 0, 1}, 2, 3).unscope();
             Tensor y = Tensor.fromInts(new int[] {0, 1}, 2).unscope()) {
            Toy.settle();
            long before = Kiln.backend().bytesInUse();
            // @start region="step"
            Tensor logits, loss;
            float lastLoss;
            try (var scope = Kiln.scope()) {
                logits = model.forward(x);                                     // [2, 2]
                loss = Functional.crossEntropy(logits, y, Reduction.MEAN, 0f); // []
                loss.backward();  // gradients accumulate on the model's parameters
                lastLoss = loss.item();
            } // logits, loss and every intermediate tensor are freed here
            assert logits.isClosed() && loss.isClosed();
            // @end
            assertTrue(logits.isClosed());
            assertTrue(loss.isClosed());
            assertTrue(lastLoss > 0f && Float.isFinite(lastLoss));
            // what stays allocated are the gradients, owned by the parameters
            long gradBytes = 0;
            for (Tensor p : model.parameters()) {
                assertNotNull(p.grad());
                assertFalse(p.grad().isClosed());
                gradBytes += p.grad().numel() * 4;
            }
            assertEquals(before + gradBytes, Kiln.backend().bytesInUse());
        }
    }

    @Test
    void keepMovesATensorOut() {
        Toy.settle();
        long before = Kiln.backend().bytesInUse();
        Tensor kept;
        // @start region="keep"
        Tensor prediction;
        try (var scope = Kiln.scope()) {
            Tensor scores = Tensor.fromArray(new float[] {0.1f, 0.7f, 0.2f, 0.9f, 0.05f, 0.05f}, 2, 3);
            prediction = scores.argmax().keep(); // survives the scope ...
        }
        int[] classes = prediction.toIntArray();   // [1, 0]
        prediction.close();                        // ... so the caller closes it
        // @end
        kept = prediction;
        assertArrayEquals(new int[] {1, 0}, classes);
        assertTrue(kept.isClosed());
        assertEquals(before, Kiln.backend().bytesInUse());
    }
}
