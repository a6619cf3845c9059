package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.optim.OptimizerState;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    private final Backend backend = HostOnlyBackend.create();
    private final List<Tensor> made = new ArrayList<>();

    private Tensor floats(float... v) {
        Tensor t = Tensor.fromArray(backend, v, v.length);
        made.add(t);
        return t;
    }

    @AfterEach
    void noLeaks() {
        made.forEach(Tensor::close);
        assertEquals(0, backend.bytesInUse());
    }

    @Test
    void optimizerFileSitsBesideTheModel() {
        assertEquals(dir.resolve("run.optim.safetensors"), Checkpoint.optimizerFile(dir.resolve("run.safetensors")));
        assertEquals(dir.resolve("run.ckpt.optim.safetensors"), Checkpoint.optimizerFile(dir.resolve("run.ckpt")));
    }

    @Test
    void savesAndRestoresModelOptimizerAndPosition() throws IOException {
        Path f = dir.resolve("run.safetensors");
        Generator dropout = new Generator(5);
        dropout.advance(1234);
        OptimizerState opt = new OptimizerState(Map.of("0.exp_avg", floats(0.5f, 0.25f), "0.exp_avg_sq", floats(1e-8f, 2f)),
                Map.of("0.step", 3.0, "group.0.lr", 1e-3, "group.0.weight_decay", 0.1));
        TrainingState pos = new TrainingState(2, 1875, Map.of("dropout", dropout.advance(0)), Map.of("seed", "42"));
        Checkpoint.save(f, Map.of("fc.weight", floats(1, 2), "fc.bias", floats(3)), opt, pos);

        Tensor w = floats(0, 0), b = floats(0);
        try (Checkpoint.Loaded l = Checkpoint.load(f, Map.of("fc.weight", w, "fc.bias", b), true, backend)) {
            assertTrue(l.model().exact());
            assertArrayEquals(new float[] {1, 2}, w.toFloatArray());
            assertEquals(pos, l.position());
            assertEquals(1234L, l.position().rngOffsets().get("dropout"));
            assertEquals(Map.of("0.step", 3.0, "group.0.lr", 1e-3, "group.0.weight_decay", 0.1), l.optimizer().scalars());
            assertArrayEquals(new float[] {1e-8f, 2f}, l.optimizer().tensors().get("0.exp_avg_sq").toFloatArray());
        }

        // The weights file alone is a plain state dict: strict-loadable without the optimizer keys.
        assertTrue(SafeTensors.loadInto(f, Map.of("fc.weight", w, "fc.bias", b), true).exact());
        SafeTensorsHeader h = SafeTensorsHeader.read(f);
        assertEquals("2", h.metadata().get("kiln.epoch"));
        assertEquals("1875", h.metadata().get("kiln.step"));
        assertEquals("run.optim.safetensors", h.metadata().get("kiln.optimizer"));
    }

    @Test
    void checkpointWithoutOptimizer() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Checkpoint.save(f, Map.of("w", floats(1)), null, new TrainingState(0, 0));
        assertTrue(Files.notExists(Checkpoint.optimizerFile(f)));
        try (Checkpoint.Loaded l = Checkpoint.load(f, Map.of("w", floats(0)), true, backend)) {
            assertNull(l.optimizer());
            assertEquals(new TrainingState(0, 0), l.position());
        }
    }

    @Test
    void refusesAnOptimizerFileFromAnotherSave() throws IOException {
        Path f = dir.resolve("run.safetensors");
        OptimizerState opt = new OptimizerState(Map.of("0.momentum_buffer", floats(1)), Map.of());
        Checkpoint.save(f, Map.of("w", floats(1)), opt, new TrainingState(1, 10));
        Path firstOpt = dir.resolve("first.optim");
        Files.copy(Checkpoint.optimizerFile(f), firstOpt);
        Checkpoint.save(f, Map.of("w", floats(2)), opt, new TrainingState(2, 20));
        // A crash after the optimizer file but before the model file would pair files of different saves.
        Files.copy(firstOpt, Checkpoint.optimizerFile(f), StandardCopyOption.REPLACE_EXISTING);
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class,
                () -> Checkpoint.load(f, Map.of("w", floats(0)), true, backend));
        assertTrue(e.getMessage().startsWith("run.optim.safetensors was written by a different save than run.safetensors"), e.getMessage());

        Files.delete(Checkpoint.optimizerFile(f));
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Checkpoint.load(f, Map.of("w", floats(0)), true, backend));
        assertTrue(missing.getMessage().contains("names optimizer state run.optim.safetensors, which does not exist"), missing.getMessage());
    }

    @Test
    void strictMismatchFreesTheOptimizerTensors() throws IOException {
        Path f = dir.resolve("run.safetensors");
        Checkpoint.save(f, Map.of("w", floats(1)), new OptimizerState(Map.of("0.exp_avg", floats(1)), Map.of()), new TrainingState(0, 1));
        assertThrows(StateMismatchException.class, () -> Checkpoint.load(f, Map.of("other", floats(0)), true, backend));
        // noLeaks() checks the optimizer tensors read for the failed load were closed
    }
}
