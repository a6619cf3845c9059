package dev.kiln.snippets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.LoadResult;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of the {@code dev.kiln.io} package documentation, run as tests: weights saved
 * from one model load into another, exactly or, for a new head, partially.
 */
class WeightsSnippetsTest {
    @TempDir
    Path dir;

    @Test
    void saveAndLoadWeights() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Kiln.manualSeed(1);
        try (Sequential model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3))) {
            Kiln.manualSeed(2);
            try (Sequential copy = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
                 Sequential fiveClasses = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 5))) {
                // @start region="weights"
                SafeTensors.write(file, model.stateDict(), Map.of());  // PyTorch's load_file reads it
                SafeTensors.loadInto(file, copy.stateDict(), true);    // strict: every key and shape
                // A model with another head: copy what fits, report the rest.
                LoadResult r = SafeTensors.loadInto(file, fiveClasses.stateDict(), false);
                // r.loaded() holds 0.weight and 0.bias; r.mismatched() names 2.weight and 2.bias
                // @end
                assertArrayEquals(model.get("0").parameters().getFirst().toFloatArray(), copy.get("0").parameters().getFirst().toFloatArray());
                assertArrayEquals(model.get("2").parameters().getFirst().toFloatArray(), copy.get("2").parameters().getFirst().toFloatArray());
                assertEquals(java.util.Set.of("0.weight", "0.bias"), java.util.Set.copyOf(r.loaded()));
                assertEquals(2, r.mismatched().size());
                assertTrue(r.mismatched().stream().anyMatch(m -> m.startsWith("2.weight: ")), r.mismatched().toString());
                assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty(), r.toString());
            }
        }
    }
}
