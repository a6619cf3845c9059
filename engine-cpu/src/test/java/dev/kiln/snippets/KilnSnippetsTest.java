package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The examples of {@link Kiln}'s javadoc, run as tests. */
@SuppressWarnings("try") // the examples name their scopes (try (var scope = ...)) for readers
class KilnSnippetsTest {
    @Test
    void quickStart() {
        float[] values;
        // @start region="quick-start"
        Backend backend = Kiln.backend(); // CUDA when usable, else the CPU backend
        try (var scope = Kiln.scope()) {
            Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
            Tensor b = a.matmul(a).add(1f);   // [[8, 11], [16, 23]]
            values = b.toFloatArray();
        } // a, b and the product in between are freed here
        // @end
        assertNotNull(backend);
        assertArrayEquals(new float[] {8, 11, 16, 23}, values);
    }

    @Test
    void noGrad() {
        Tensor w = Tensor.fromArray(new float[] {1, 2}, 2).unscope().requiresGrad(true);
        try {
            Tensor y;
            // @start region="no-grad"
            try (var noGrad = Kiln.noGrad(); var scope = Kiln.scope()) {
                y = w.mul(2f);             // no graph is recorded: y needs no gradient
                assertFalse(y.requiresGrad());
            }
            // @end
            assertNull(y.gradFn());
            assertTrue(y.isClosed());
        } finally {
            w.close();
        }
    }
}
