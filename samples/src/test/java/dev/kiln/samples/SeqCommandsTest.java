package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./kiln seq-mnist} and {@code ./kiln vit} end to end on a tiny generated data set (one
 * epoch, seconds): what they print and write, {@code --help}, and one-line refusals of bad options.
 */
class SeqCommandsTest {
    @TempDir
    Path dir;

    private String out, err;

    /** Runs {@code seq-mnist} (or {@code vit}) as {@code main} would, capturing what it prints; returns the exit status. */
    private int run(boolean vit, String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        PrintStream realOut = System.out;
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        try {
            return vit ? Setup.execute(argv, VitCommand.options(), VitCommand::run, new PrintStream(e, true, StandardCharsets.UTF_8))
                    : Setup.execute(argv, SeqMnistCommand.options(), SeqMnistCommand::run, new PrintStream(e, true, StandardCharsets.UTF_8));
        } finally {
            System.setOut(realOut);
            out = o.toString(StandardCharsets.UTF_8);
            err = e.toString(StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "transformer"})
    void seqMnistTrainsOneEpochAndWritesItsOutputs(String model) throws IOException {
        Path data = TinyMnist.write(dir.resolve("mnist"), 24, 10, 3), metrics = dir.resolve("out/m.json"), report = dir.resolve("out/report");
        // MODEL in the checkpoint path stands for the model's name, as in the default out/seq-mnist-MODEL.safetensors
        assertEquals(0, run(false, "--model", model, "--backend", "cpu", "--data", data.toString(), "--epochs", "1", "--batch-size", "8",
                "--checkpoint", dir.resolve("out/seq-MODEL.safetensors").toString(), "--metrics-out", metrics.toString(),
                "--report", report.toString()), err);
        Path ckpt = dir.resolve("out/seq-" + model + ".safetensors");
        assertTrue(out.contains("training seq-mnist-" + model + ": 1 epochs of 3 batches of 8, Adam lr 0.001, cosine schedule per step, "
                + "gradient norm clipped at 1.0\n"), out);
        assertTrue(out.contains("test accuracy: "), out);
        assertTrue(out.contains("checkpoint: " + ckpt + "\n"), out);
        assertTrue(Files.isRegularFile(ckpt));
        String json = Files.readString(metrics);
        assertTrue(json.contains("\"command\": \"seq-mnist\"") && json.contains("\"model\": \"seq-mnist-" + model + "\""), json);
        assertTrue(json.contains("\"final_test_accuracy\"") && json.contains("\"clip_grad_norm\": 1.0") && json.contains("\"mean\": 0.1307"), json);
        for (String f : Report.FILES) assertNotNull(ImageIO.read(report.resolve(f).toFile()), f);
    }

    @Test
    void vitTrainsOneEpochWithWarmUpAndWritesItsOutputs() throws IOException {
        Path data = TinyMnist.write(dir.resolve("mnist"), 20, 10, 4), ckpt = dir.resolve("vit.safetensors"), metrics = dir.resolve("m.json");
        assertEquals(0, run(true, "--backend", "cpu", "--data", data.toString(), "--epochs", "1", "--batch-size", "10",
                "--checkpoint", ckpt.toString(), "--metrics-out", metrics.toString(), "--report", dir.resolve("r").toString()), err);
        assertTrue(out.contains("training vit: 1 epochs of 2 batches of 10, AdamW lr 0.001 weight decay 0.05, 1 epoch(s) of linear "
                + "warm-up, then cosine schedule per step\n"), out);
        assertTrue(out.contains("Total params: 139,018\n"), out); // the peer's count
        assertTrue(Files.isRegularFile(ckpt));
        String json = Files.readString(metrics);
        assertTrue(json.contains("\"optimizer\": \"adamw\"") && json.contains("\"weight_decay\": 0.05") && json.contains("\"warmup_epochs\": 1"), json);
        // the warm-up epoch ends at the peak: step 1 of 2 ran at lr 1e-3 * 2/2
        assertTrue(json.contains("\"lr_at_end\": 0.001"), json);
        for (String f : Report.FILES) assertTrue(Files.isRegularFile(dir.resolve("r").resolve(f)), f);
    }

    @Test
    void helpListsTheOptions() {
        assertEquals(0, run(false, "--help"));
        assertTrue(out.startsWith("usage: ./kiln seq-mnist [options]\n"), out);
        assertTrue(out.contains("--model VALUE") && out.contains("(default lstm)") && out.contains("--clip VALUE"), out);
        assertEquals(0, run(true, "--help"));
        assertTrue(out.startsWith("usage: ./kiln vit [options]\n"), out);
        assertTrue(out.contains("--weight-decay VALUE") && out.contains("--warmup-epochs VALUE") && out.contains("(default 128)"), out);
    }

    @Test
    void badOptionsAreRefusedInOneLineBeforeLoadingData() throws IOException {
        String[] common = {"--backend", "cpu", "--data", dir.resolve("no-data").toString()};
        assertEquals(2, run(false, concat(common, "--model", "rnn")));
        assertTrue(err.startsWith("seq-mnist: --model must be one of lstm, gru, transformer, got 'rnn'\n"), err);
        assertEquals(2, run(false, concat(common, "--clip", "-1")));
        assertTrue(err.startsWith("seq-mnist: --clip must be a finite number >= 0, got -1\n"), err);
        assertEquals(2, run(false, concat(common, "--epochs", "0")));
        assertTrue(err.startsWith("seq-mnist: --epochs must be between 1 and 100000, got 0\n"), err);
        assertEquals(2, run(true, concat(common, "--model", "lstm")));
        assertTrue(err.startsWith("vit: unknown option --model\n"), err);
        assertEquals(2, run(true, concat(common, "--epochs", "3", "--warmup-epochs", "4")));
        assertTrue(err.startsWith("vit: --warmup-epochs must be between 0 and 3, got 4\n"), err);
        assertEquals(2, run(true, concat(common, "--weight-decay", "x")));
        assertTrue(err.startsWith("vit: --weight-decay must be a number, got 'x'\n"), err);

        Path folder = Files.createDirectories(dir.resolve("ckpt-lstm"));
        assertEquals(2, run(false, concat(common, "--checkpoint", dir.resolve("ckpt-MODEL").toString())));
        assertEquals("seq-mnist: --checkpoint " + folder + ": is a folder, expected a file\n", err);

        // missing data: one line naming the folder and the fetch command
        assertEquals(1, run(true, common));
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("kiln vit: data not found in " + dir.resolve("no-data")), err);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
