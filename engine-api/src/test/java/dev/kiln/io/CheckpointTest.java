package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.optim.OptimizerState;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Checkpoint layout, atomic replacement of a save, and cleanup of what crashed saves leave behind. */
class CheckpointTest extends CheckpointTestBase {
    private Set<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String saveId(Path weights) throws IOException {
        return SafeTensorsHeader.read(weights).metadata().get("kiln.save_id");
    }

    @Test
    void optimizerFileIsNamedBySaveId() throws IOException {
        Path f = dir.resolve("run.safetensors");
        Checkpoint.save(f, Map.of("w", floats(1)), new OptimizerState(Map.of("0.exp_avg", floats(2)), Map.of()), new TrainingState(0, 1));
        String id = saveId(f);
        assertTrue(CheckpointFiles.isSaveId(id), id);
        assertEquals(dir.resolve("run.optim." + id + ".safetensors"), Checkpoint.optimizerFile(f));
        assertEquals(Set.of("run.safetensors", "run.optim." + id + ".safetensors"), files());

        Path g = dir.resolve("run.ckpt");
        Checkpoint.save(g, Map.of("w", floats(1)), new OptimizerState(Map.of(), Map.of()), new TrainingState(0, 1));
        assertEquals(dir.resolve("run.ckpt.optim." + saveId(g) + ".safetensors"), Checkpoint.optimizerFile(g));
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
        assertEquals("run.optim." + h.metadata().get("kiln.save_id") + ".safetensors", h.metadata().get("kiln.optimizer"));
    }

    @Test
    void checkpointWithoutOptimizer() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Checkpoint.save(f, Map.of("w", floats(1)), null, new TrainingState(0, 0));
        assertEquals(Set.of("w.safetensors"), files());
        assertNull(Checkpoint.optimizerFile(f));
        try (Checkpoint.Loaded l = Checkpoint.load(f, Map.of("w", floats(0)), true, backend)) {
            assertNull(l.optimizer());
            assertEquals(new TrainingState(0, 0), l.position());
        }
    }

    @Test
    void noCheckpointIsSaidSo() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> Checkpoint.load(dir.resolve("none.safetensors"), Map.of("w", floats(0)), true, backend));
        assertTrue(e.getMessage().contains("none.safetensors") && e.getMessage().contains("no checkpoint here"), e.getMessage());
    }

    @Test
    void refusesAnOptimizerFileFromAnotherSave() throws IOException {
        Path f = dir.resolve("run.safetensors");
        OptimizerState opt = new OptimizerState(Map.of("0.momentum_buffer", floats(1)), Map.of());
        Checkpoint.save(f, Map.of("w", floats(1)), opt, new TrainingState(1, 10));
        Path firstOpt = dir.resolve("first.optim");
        Files.copy(Checkpoint.optimizerFile(f), firstOpt);
        Checkpoint.save(f, Map.of("w", floats(2)), opt, new TrainingState(2, 20));
        Path secondOpt = Checkpoint.optimizerFile(f);
        Files.copy(firstOpt, secondOpt, StandardCopyOption.REPLACE_EXISTING);
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class,
                () -> Checkpoint.load(f, Map.of("w", floats(0)), true, backend));
        assertTrue(e.getMessage().startsWith(secondOpt.getFileName() + " was written by a different save than run.safetensors"), e.getMessage());

        Files.delete(secondOpt);
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Checkpoint.load(f, Map.of("w", floats(0)), true, backend));
        assertTrue(missing.getMessage().contains("names optimizer state " + secondOpt.getFileName() + ", which does not exist"), missing.getMessage());
    }

    @Test
    void aLoadWhoseOptimizerFileASaveDeletesJustBeforeTheOpenRetries() throws IOException {
        Path f = dir.resolve("run.safetensors");
        Checkpoint.save(f, Map.of("w", floats(1)), new OptimizerState(Map.of("0.a", floats(10)), Map.of()), new TrainingState(0, 1));
        boolean[] raced = {false};
        Checkpoint.beforeOptimizerOpen = optFile -> { // after the load read the weights' header, before it opens their optimizer file
            if (raced[0]) return;
            raced[0] = true;
            try { // a concurrent save commits and deletes the optimizer file the load is about to open
                Checkpoint.save(f, Map.of("w", floats(2)), new OptimizerState(Map.of("0.a", floats(20)), Map.of()), new TrainingState(0, 2));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Tensor w = floats(0);
        try (Checkpoint.Loaded l = Checkpoint.load(f, Map.of("w", w), true, backend)) {
            assertTrue(raced[0]);
            assertEquals(new TrainingState(0, 2), l.position(), "the retry loads the save that won the race");
            assertArrayEquals(new float[] {2}, w.toFloatArray());
            assertArrayEquals(new float[] {20}, l.optimizer().tensors().get("0.a").toFloatArray());
        } finally {
            Checkpoint.beforeOptimizerOpen = p -> { };
        }
    }

    @Test
    void strictMismatchIsFoundBeforeTheOptimizerStateIsRead() throws IOException {
        Path f = dir.resolve("run.safetensors");
        Checkpoint.save(f, Map.of("w", floats(1)), new OptimizerState(Map.of("0.exp_avg", floats(1)), Map.of()), new TrainingState(0, 1));
        assertThrows(StateMismatchException.class, () -> Checkpoint.load(f, Map.of("other", floats(0)), true, backend));
        // noLeaks() checks that no optimizer tensor stayed allocated
    }

    @Test
    void aSaveReplacesThePairAndDeletesTheSupersededOptimizerFile() throws IOException {
        Path f = dir.resolve("run.safetensors");
        for (int i = 1; i <= 3; i++) {
            Checkpoint.save(f, Map.of("w", floats(i)), new OptimizerState(Map.of("0.exp_avg", floats(10 * i)), Map.of()), new TrainingState(i, i));
        }
        assertEquals(Set.of("run.safetensors", "run.optim." + saveId(f) + ".safetensors"), files());
        Tensor w = floats(0);
        try (Checkpoint.Loaded l = Checkpoint.load(f, Map.of("w", w), true, backend)) {
            assertArrayEquals(new float[] {3}, w.toFloatArray());
            assertArrayEquals(new float[] {30}, l.optimizer().tensors().get("0.exp_avg").toFloatArray());
        }
    }

    @Test
    void aFailedSaveKeepsThePreviousCompleteSave() throws IOException {
        Path f = dir.resolve("run.safetensors");
        Checkpoint.save(f, Map.of("w", floats(1)), new OptimizerState(Map.of("0.exp_avg", floats(10)), Map.of()), new TrainingState(1, 1));
        Set<String> before = files();
        Tensor closed = Tensor.fromArray(backend, new float[] {2}, 1);
        closed.close();
        // The optimizer file is written first, then writing the weights fails: the new optimizer file must go, the old pair stay.
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(f, Map.of("w", closed),
                new OptimizerState(Map.of("0.exp_avg", floats(20)), Map.of()), new TrainingState(2, 2)));
        assertEquals(before, files());
        Tensor w = floats(0);
        try (Checkpoint.Loaded l = Checkpoint.load(f, Map.of("w", w), true, backend)) {
            assertEquals(1, l.position().epoch());
            assertArrayEquals(new float[] {10}, l.optimizer().tensors().get("0.exp_avg").toFloatArray());
        }
    }

    @Test
    void theNextSaveRemovesLeftoversOfCrashedSavesAndNothingElse() throws IOException {
        Path f = dir.resolve("run.safetensors");
        Checkpoint.save(f, Map.of("w", floats(1)), new OptimizerState(Map.of("0.exp_avg", floats(10)), Map.of()), new TrainingState(1, 1));
        List<String> ours = List.of(".run.safetensors.8123456789012345678.tmp", "run.optim.0f8fad5b-d9cb-469f-a165-70867728950e.safetensors",
                "run.optim.safetensors");
        List<String> others = List.of(".run.safetensors.x1.tmp", "run.optim.notes.safetensors", "run.optim.0F8FAD5B-D9CB-469F-A165-70867728950E.safetensors",
                "other.optim.0f8fad5b-d9cb-469f-a165-70867728950e.safetensors", ".other.safetensors.123.tmp", "run.optim.txt", "run2.safetensors");
        for (String n : ours) Files.write(dir.resolve(n), new byte[100]);
        for (String n : others) Files.write(dir.resolve(n), new byte[100]);
        Checkpoint.save(f, Map.of("w", floats(2)), new OptimizerState(Map.of("0.exp_avg", floats(20)), Map.of()), new TrainingState(2, 2));
        Set<String> expected = new TreeSet<>(others);
        expected.add("run.safetensors");
        expected.add("run.optim." + saveId(f) + ".safetensors");
        assertEquals(expected, files());
    }

    @Test
    void loadsTheOlderLayoutAndTheNextSaveReplacesIt() throws IOException {
        Path f = dir.resolve("run.safetensors");
        SafeTensors.write(dir.resolve("run.optim.safetensors"), Map.of("0.exp_avg", floats(7)), Map.of("kiln.save_id", "s1", "kiln.optim.0.step", "4.0"));
        SafeTensors.write(f, Map.of("w", floats(3)), Map.of("kiln.save_id", "s1", "kiln.optimizer", "run.optim.safetensors", "kiln.epoch", "1",
                "kiln.step", "4"));
        Tensor w = floats(0);
        try (Checkpoint.Loaded l = Checkpoint.load(f, Map.of("w", w), true, backend)) {
            assertArrayEquals(new float[] {3}, w.toFloatArray());
            assertEquals(Map.of("0.step", 4.0), l.optimizer().scalars());
            assertArrayEquals(new float[] {7}, l.optimizer().tensors().get("0.exp_avg").toFloatArray());
        }
        Checkpoint.save(f, Map.of("w", floats(4)), new OptimizerState(Map.of("0.exp_avg", floats(8)), Map.of()), new TrainingState(2, 5));
        assertEquals(Set.of("run.safetensors", "run.optim." + saveId(f) + ".safetensors"), files());
    }

    @Test
    void aSymbolicLinkKeepsPointingAtTheNewSave() throws IOException {
        Path real = Files.createDirectory(dir.resolve("runs")).resolve("e3.safetensors");
        Checkpoint.save(real, Map.of("w", floats(1)), new OptimizerState(Map.of("0.exp_avg", floats(10)), Map.of()), new TrainingState(1, 1));
        Path link = Files.createSymbolicLink(dir.resolve("latest.safetensors"), real);
        Checkpoint.save(link, Map.of("w", floats(2)), new OptimizerState(Map.of("0.exp_avg", floats(20)), Map.of()), new TrainingState(2, 2));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(Set.of("latest.safetensors", "runs"), files());
        assertEquals(dir.resolve("runs/e3.optim." + saveId(real) + ".safetensors"), Checkpoint.optimizerFile(link).toAbsolutePath());
        Tensor w = floats(0);
        try (Checkpoint.Loaded l = Checkpoint.load(link, Map.of("w", w), true, backend)) {
            assertArrayEquals(new float[] {2}, w.toFloatArray());
            assertArrayEquals(new float[] {20}, l.optimizer().tensors().get("0.exp_avg").toFloatArray());
        }
    }

    @Test
    void filesGetTheDefaultPermissions() throws IOException {
        Path f = dir.resolve("run.safetensors");
        Checkpoint.save(f, Map.of("w", floats(1)), new OptimizerState(Map.of("0.exp_avg", floats(10)), Map.of()), new TrainingState(1, 1));
        var plain = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
        assertEquals(plain, Files.getPosixFilePermissions(f));
        assertEquals(plain, Files.getPosixFilePermissions(Checkpoint.optimizerFile(f)));
    }

    @Test
    void refusesToSaveOverADirectoryOrFifo() throws Exception {
        Path d = Files.createDirectory(dir.resolve("d.safetensors"));
        java.nio.file.FileSystemException e = assertThrows(java.nio.file.FileSystemException.class,
                () -> Checkpoint.save(d, Map.of("w", floats(1)), null, new TrainingState(0, 0)));
        assertTrue(e.getMessage().contains("exists and is not a regular file (a directory)"), e.getMessage());
        assertTrue(Files.isDirectory(d));
        Path fifo = Files8.mkfifo(dir.resolve("p.safetensors"));
        if (fifo == null) return; // no mkfifo here
        e = assertThrows(java.nio.file.FileSystemException.class,
                () -> Checkpoint.save(fifo, Map.of("w", floats(1)), new OptimizerState(Map.of(), Map.of()), new TrainingState(0, 0)));
        assertTrue(e.getMessage().contains("exists and is not a regular file (a device, FIFO or socket)"), e.getMessage());
        assertTrue(Files8.isOther(fifo));
        assertEquals(Set.of("d.safetensors", "p.safetensors"), files(), "no optimizer file was left behind");
    }
}
