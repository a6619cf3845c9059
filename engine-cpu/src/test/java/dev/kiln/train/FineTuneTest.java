package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.data.DataLoader;
import dev.kiln.io.LoadResult;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.StateMismatchException;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fine-tuning workflow on the CPU backend: save a trained model, load it non-strictly into a
 * model whose head was replaced (another class count), freeze the convolution, train, and check
 * that only the unfrozen layers moved.
 */
class FineTuneTest {
    @TempDir
    Path dir;

    private final Backend cpu = Kiln.backend("cpu");

    @Test
    void loadIntoAReplacedHeadFreezeTheBodyAndTrainOnlyTheHead() throws IOException {
        Path weights = dir.resolve("pre.safetensors");
        try (Sequential pre = SmallNet.create(new Generator(1), new Generator(2), Patterns.CLASSES, cpu)) {
            SafeTensors.write(weights, pre.stateDict(), Map.of());
            try (Sequential net = SmallNet.create(new Generator(3), new Generator(4), Patterns.CLASSES, cpu)) {
                net.replace("5", new Linear(200, 2, true, new Generator(5), cpu)).close();
                float[] freshHead = net.stateDict().get("5.weight").toFloatArray();

                var strict = assertThrows(StateMismatchException.class, () -> SafeTensors.loadInto(weights, net.stateDict(), true));
                assertTrue(strict.getMessage().contains("5.weight: file [4, 200] F32, target [2, 200] F32"),
                        strict.getMessage());

                LoadResult r = SafeTensors.loadInto(weights, net.stateDict(), false);
                assertEquals(List.of("0.bias", "0.weight"), r.loaded());
                assertEquals(List.of("5.bias: file [4] F32, target [2] F32", "5.weight: file [4, 200] F32, target [2, 200] F32"), r.mismatched());
                assertArrayEquals(pre.stateDict().get("0.weight").toFloatArray(), net.stateDict().get("0.weight").toFloatArray());
                assertArrayEquals(freshHead, net.stateDict().get("5.weight").toFloatArray(), "a mismatched head is left as it was");

                net.get("0").requiresGrad(false);
                float[] conv = net.stateDict().get("0.weight").toFloatArray();
                try (DataLoader two = DataLoader.builder(Patterns.make(64, 8).filterByLabel(l -> l < 2, l -> l)).batchSize(16).backend(cpu).build();
                     Adam adam = new Adam(net.parameters(), 1e-2)) {
                    Trainer.builder(net, adam, two).build().fit(1);
                }
                assertArrayEquals(conv, net.stateDict().get("0.weight").toFloatArray(), "the frozen convolution did not move");
                assertFalse(java.util.Arrays.equals(freshHead, net.stateDict().get("5.weight").toFloatArray()), "the head trained");
            }
        }
    }
}
