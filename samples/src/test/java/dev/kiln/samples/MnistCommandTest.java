package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kiln mnist} on a tiny generated data set: outputs checked before training, option
 * ranges, a non-finite loss, and what it claims to have written.
 */
class MnistCommandTest {
    @TempDir
    Path dir;

    private String out, err;

    /** Runs the command as {@code main} would, capturing what it prints; returns the exit status. */
    private int mnist(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        PrintStream realOut = System.out;
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        try {
            return Setup.execute(argv, MnistCommand.options(), MnistCommand::run, new PrintStream(e, true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(realOut);
            out = o.toString(StandardCharsets.UTF_8);
            err = e.toString(StandardCharsets.UTF_8);
        }
    }

    private String[] args(String... more) {
        return Stream.concat(Stream.of("--backend", "cpu", "--data", dir.resolve("no-data").toString()), Stream.of(more)).toArray(String[]::new);
    }

    @Test
    void unwritableOutputsAreRefusedBeforeAnythingElse() throws IOException {
        // The data folder does not exist: refusing with the output's problem shows the check came first.
        Path aFile = Files.writeString(dir.resolve("plain.txt"), "x");
        assertEquals(2, mnist(args("--checkpoint", aFile.resolve("run.safetensors").toString())));
        assertEquals("mnist: --checkpoint " + aFile.resolve("run.safetensors") + ": cannot create folder " + aFile + ": " + aFile
                + " is not a folder\n", err);

        Path folder = Files.createDirectories(dir.resolve("metrics.json"));
        assertEquals(2, mnist(args("--checkpoint", dir.resolve("ok.safetensors").toString(), "--metrics-out", folder.toString())));
        assertEquals("mnist: --metrics-out " + folder + ": is a folder, expected a file\n", err);

        assertEquals(2, mnist(args("--checkpoint", dir.resolve("ok.safetensors").toString(), "--report", aFile.toString())));
        assertEquals("mnist: --report " + aFile + ": cannot create folder " + aFile + ": " + aFile + " is not a folder\n", err);

        Path report = Files.createDirectories(dir.resolve("report/curves.png"));
        assertEquals(2, mnist(args("--checkpoint", dir.resolve("ok.safetensors").toString(), "--report", report.getParent().toString())));
        assertEquals("mnist: --report " + report.getParent() + ": curves.png is a folder, expected a file\n", err);
        assertFalse(Files.exists(dir.resolve("ok.safetensors")));
    }

    @Test
    void numericOptionsAreRangeChecked() {
        assertEquals(2, mnist(args("--epochs", "0")));
        assertTrue(err.startsWith("mnist: --epochs must be between 1 and 100000, got 0\n"), err);
        assertEquals(2, mnist(args("--batch-size", "0")));
        assertTrue(err.startsWith("mnist: --batch-size must be >= 1, got 0\n"), err);
        assertEquals(2, mnist(args("--batch-size", "2147483648")));
        assertTrue(err.startsWith("mnist: --batch-size must be >= 1, got 2147483648\n"), err);
        assertEquals(2, mnist(args("--lr", "NaN")));
        assertTrue(err.startsWith("mnist: --lr must be a positive number, got NaN\n"), err);
    }

    @Test
    void aHugeBatchIsTheWholeDataSetAndTheCheckpointIsClaimedOnlyWhenWritten() throws IOException {
        Path data = TinyMnist.write(dir.resolve("mnist"), 20, 10, 1), ckpt = dir.resolve("out/run.safetensors");
        assertEquals(0, mnist("--backend", "cpu", "--data", data.toString(), "--epochs", "1", "--batch-size", "2147483647",
                "--checkpoint", ckpt.toString(), "--metrics-out", dir.resolve("out/m.json").toString()), err);
        assertTrue(out.contains("note: --batch-size 2147483647 is larger than the 20 training images; using 20 (one batch per epoch)\n"), out);
        assertTrue(out.contains("training 1 epochs of 1 batches of 20"), out);
        assertTrue(out.contains("checkpoint: " + ckpt + "\n"), out);
        assertTrue(Files.isRegularFile(ckpt));
        assertTrue(Files.readString(dir.resolve("out/m.json")).contains("\"batch_size\": 20"));

        // resuming a 1-epoch checkpoint with --epochs 1 trains nothing: the new checkpoint path is not claimed
        Path other = dir.resolve("out/other.safetensors");
        assertEquals(0, mnist("--backend", "cpu", "--data", data.toString(), "--epochs", "1", "--batch-size", "20",
                "--resume", ckpt.toString(), "--checkpoint", other.toString()), err);
        assertTrue(out.contains("checkpoint: not written (the resumed checkpoint already has 1 epochs, --epochs is 1)\n"), out);
        assertFalse(out.contains("checkpoint: " + other), out);
        assertFalse(Files.exists(other));
    }

    @Test
    void aDivergingRunStopsWithOneLineAndSavesNothing() throws IOException {
        Path data = TinyMnist.write(dir.resolve("mnist"), 40, 10, 2), ckpt = dir.resolve("run.safetensors");
        // Adam moves every weight by about lr on the first step: 1e30 overflows the next forward pass
        assertEquals(1, mnist("--backend", "cpu", "--data", data.toString(), "--epochs", "2", "--batch-size", "10", "--lr", "1e30",
                "--schedule", "constant", "--checkpoint", ckpt.toString()));
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.getFirst().matches("kiln mnist: loss is (NaN|\\+infinity) at epoch 1, batch [2-4] of 4 \\(step [2-4]\\); training "
                + "stopped before that step was applied; no checkpoint was written \\(lower --lr, or pass --allow-nonfinite-loss to train on\\)"),
                lines.getFirst());
        assertFalse(Files.exists(ckpt));
    }
}
