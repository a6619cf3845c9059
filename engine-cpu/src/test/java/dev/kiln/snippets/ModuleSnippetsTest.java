package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples of {@link Module}'s and {@link Sequential}'s javadoc, run as tests. */
@SuppressWarnings("try") // the examples name their scopes (try (var scope = ...)) for readers
class ModuleSnippetsTest {
    // @start region="custom-module"
    /** A classifier head: two linear layers with a ReLU between them. */
    static final class Head extends Module {
        private final Linear hidden;
        private final Linear out;

        Head(int in, int width, int classes) {
            hidden = registerModule("hidden", new Linear(in, width));
            out = registerModule("out", new Linear(width, classes));
        }

        @Override
        public Tensor forward(Tensor input) {              // [N, in] -> [N, classes]
            Tensor h = call(hidden, input).relu();         // call() labels errors with "hidden"
            return call(out, h);
        }
    }
    // @end

    @Test
    void sequentialModel() {
        Kiln.manualSeed(7);
        // @start region="sequential"
        Sequential model = new Sequential(
                new Conv2d(1, 8, 3),      // [N, 1, 28, 28] -> [N, 8, 26, 26]
                new ReLU(),
                new MaxPool2d(2),         // -> [N, 8, 13, 13]
                new Flatten(),            // -> [N, 1352]
                new Linear(8 * 13 * 13, 10));
        System.out.println(model.summary(1, 1, 28, 28)); // layers, output shapes, parameter counts
        // parameters are named by position: 0.weight, 0.bias, 4.weight, 4.bias
        // @end
        try (model; var scope = Kiln.scope()) {
            assertEquals(List.of("0.weight", "0.bias", "4.weight", "4.bias"), List.copyOf(model.namedParameters().keySet()));
            Tensor out = model.forward(Tensor.zeros(2, 1, 28, 28));
            assertArrayEquals(new int[] {2, 10}, out.shape());
        }
    }

    @Test
    void customModule() {
        try (Head head = new Head(16, 32, 2); var scope = Kiln.scope()) {
            assertEquals(List.of("hidden.weight", "hidden.bias", "out.weight", "out.bias"),
                    List.copyOf(head.namedParameters().keySet()));
            assertArrayEquals(new int[] {5, 2}, head.forward(Tensor.zeros(5, 16)).shape());
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> head.forward(Tensor.zeros(5, 15)));
            assertTrue(e.getMessage().startsWith("hidden (Linear): "), e.getMessage());
        }
    }
}
