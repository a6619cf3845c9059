package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.optim.OptimizerState;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Scope;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safetensors files and checkpoints with tensors on the CPU backend. */
class CpuSafeTensorsTest {
    @TempDir
    Path dir;

    private final Backend cpu = Kiln.backend("cpu");

    @Test
    void roundTripsLargeTensorsBitExactly() throws IOException {
        long before = cpu.bytesInUse();
        try (Scope scope = Scope.open()) {
            float[] big = new float[1 << 20];
            new Generator(7).fillNormal(big, 0f, 1f);
            Tensor w = Tensor.fromArray(cpu, big, 1024, 1024);
            Tensor labels = Tensor.fromInts(cpu, new int[] {3, 1, 4, 1, 5}, 5);
            Path f = dir.resolve("big.safetensors");
            SafeTensors.write(f, Map.of("features.0.weight", w, "labels", labels), Map.of("format", "pt"));
            try (TensorFile t = SafeTensors.read(f, cpu)) {
                assertArrayEquals(big, t.tensors().get("features.0.weight").toFloatArray());
                assertArrayEquals(new int[] {3, 1, 4, 1, 5}, t.tensors().get("labels").toIntArray());
            }
            Tensor target = Tensor.zeros(1024, 1024);
            assertTrue(SafeTensors.loadInto(f, Map.of("features.0.weight", target, "labels", Tensor.fromInts(cpu, new int[5], 5)), true).exact());
            assertArrayEquals(big, target.toFloatArray());
        }
        assertEquals(before, cpu.bytesInUse(), "every tensor freed");
    }

    @Test
    void checkpointRestoresIntoCpuParameters() throws IOException {
        try (Scope scope = Scope.open()) {
            Tensor w = Tensor.fromArray(cpu, new float[] {1, 2, 3, 4}, 2, 2);
            OptimizerState opt = new OptimizerState(Map.of("0.exp_avg", Tensor.fromArray(cpu, new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 2, 2)),
                    Map.of("0.step", 7.0));
            Path f = dir.resolve("run.safetensors");
            Checkpoint.save(f, Map.of("fc.weight", w), opt, new TrainingState(3, 700));
            Tensor fresh = Tensor.full(cpu, 0f, 2, 2);
            try (Checkpoint.Loaded l = Checkpoint.load(f, Map.of("fc.weight", fresh), true, cpu)) {
                assertArrayEquals(new float[] {1, 2, 3, 4}, fresh.toFloatArray());
                assertEquals(700, l.position().step());
                assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, l.optimizer().tensors().get("0.exp_avg").toFloatArray());
            }
        }
    }
}
