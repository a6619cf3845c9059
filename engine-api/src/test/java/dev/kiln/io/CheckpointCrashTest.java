package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.optim.OptimizerState;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} at random moments of a child JVM that saves a checkpoint in a loop: after every
 * kill the checkpoint loads as a matching pair (weights, optimizer state and position all from
 * the same save, and not older than the last save the child reported complete), or, while no
 * save has ever completed, is reported missing; what the killed save left behind is at most one
 * temporary file and one unreferenced optimizer file, and the next save removes them.
 */
class CheckpointCrashTest {
    /** Floats per tensor: 1 MiB each, so that a save spends real time writing between its renames. */
    static final int ELEMENTS = 1 << 18;
    private static final int KILLS = 30;

    @TempDir
    Path dir;

    private final Backend backend = HostOnlyBackend.create();

    private Process startChild(Path file, long first) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CheckpointCrashChild.class.getName(), file.toString(), Long.toString(first))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void killNineAtRandomMomentsNeverLeavesAMixedPair() throws Exception {
        Path file = dir.resolve("run.safetensors");
        Random random = new Random(42);
        long lastSaved = -1; // the newest save a child reported complete, over all trials
        int loaded = 0, missing = 0;
        for (int trial = 0; trial < KILLS; trial++) {
            Process child = startChild(file, trial * 100_000L + 1);
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            // Half the trials kill soon after start (possibly before any save completed), half after a completed save.
            String line = out.readLine();
            assertEquals("ready", line, "child did not start");
            if (trial % 2 == 1) {
                line = out.readLine();
                assertNotNull(line, "child died before its first save");
                lastSaved = Long.parseLong(line.substring("saved ".length()));
            }
            Thread.sleep(random.nextInt(250));
            child.toHandle().destroyForcibly(); // SIGKILL on POSIX; unlike Process.destroyForcibly it leaves the output readable
            child.waitFor();
            for (String l; (l = out.readLine()) != null; ) lastSaved = Long.parseLong(l.substring("saved ".length()));
            out.close();

            long step = check(file, lastSaved);
            if (step < 0) missing++;
            else loaded++;
            leftoversOfOneSaveAtMost(file);
        }
        // The next save removes what the last kill left behind.
        try (Tensor w = Tensor.full(backend, 0, ELEMENTS); Tensor m = Tensor.full(backend, 0, ELEMENTS)) {
            Checkpoint.save(file, Map.of("w", w), new OptimizerState(Map.of("0.exp_avg", m), Map.of()), new TrainingState(0, 0));
        }
        assertEquals(Set.of("run.safetensors", Checkpoint.optimizerFile(file).getFileName().toString()), names());
        assertEquals(KILLS, loaded + missing);
        assertEquals(0, backend.bytesInUse());
        System.out.println("CheckpointCrashTest: " + KILLS + " kills, " + loaded + " loads of a complete save, " + missing + " before any save completed");
    }

    /** Loads the checkpoint and checks it is one save's consistent pair; returns its step, or -1 when there is none yet. */
    private long check(Path file, long lastSaved) throws IOException {
        try (Tensor w = Tensor.full(backend, 0, ELEMENTS)) {
            Checkpoint.Loaded l;
            try {
                l = Checkpoint.load(file, Map.of("w", w), true, backend);
            } catch (NoSuchFileException e) {
                assertTrue(lastSaved < 0, "a save completed (" + lastSaved + ") but the checkpoint is missing: " + e.getMessage());
                assertTrue(e.getMessage().contains("no checkpoint here"), e.getMessage());
                return -1;
            }
            try (l) {
                long k = l.position().step();
                assertTrue(k >= lastSaved, "loaded save " + k + " is older than the completed save " + lastSaved);
                assertEquals(Map.of("0.step", (double) k), l.optimizer().scalars());
                for (Tensor t : List.of(w, l.optimizer().tensors().get("0.exp_avg"), l.optimizer().tensors().get("0.exp_avg_sq"))) {
                    float[] v = t.toFloatArray();
                    for (float x : v) if (x != k) fail("save " + k + " holds a tensor with " + x + ": a mixed pair");
                }
                return k;
            }
        }
    }

    /** Only our own files, and besides the current pair at most one temporary file and one unreferenced optimizer file. */
    private void leftoversOfOneSaveAtMost(Path file) throws IOException {
        Path current = Files.exists(file) ? Checkpoint.optimizerFile(file) : null;
        int temps = 0, optimizers = 0;
        for (String n : names()) {
            if (n.equals("run.safetensors") || (current != null && n.equals(current.getFileName().toString()))) continue;
            if (AtomicFile.isTempFileOf("run.safetensors", n)) temps++;
            else if (CheckpointFiles.isOptimizerFileOf("run.safetensors", n)) optimizers++;
            else fail("unexpected file " + n);
        }
        assertTrue(temps <= 1 && optimizers <= 1, "leftovers accumulate: " + names());
    }

    private Set<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new java.util.TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }
}
