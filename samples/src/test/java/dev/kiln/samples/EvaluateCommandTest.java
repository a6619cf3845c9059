package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Linear;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kiln evaluate}: what it says about bad checkpoints, and its numbers on a tiny generated test set. */
class EvaluateCommandTest {
    private static final int IMAGES = 12, SIDE = 28;

    @TempDir
    Path dir;

    private final Backend cpu = Kiln.backend("cpu");

    private Args.UsageException refused(String... argv) {
        return assertThrows(Args.UsageException.class, () -> EvaluateCommand.run(EvaluateCommand.options().parse(argv)));
    }

    private static void assertContains(String message, String... fragments) {
        for (String f : fragments) assertTrue(message.contains(f), "expected '" + f + "' in: " + message);
    }

    @Test
    void aMissingCheckpointIsNamed() {
        Path none = dir.resolve("no-such.safetensors");
        var e = refused("--checkpoint", none.toString(), "--backend", "cpu");
        assertContains(e.getMessage(), "evaluate: checkpoint " + none + " not found", "./kiln mnist");
    }

    @Test
    void aTensorOfAnotherShapeIsNamedWithBothShapes() throws IOException {
        Path five = dir.resolve("five-classes.safetensors");
        try (SeedCnn model = new SeedCnn(10, new Generator(1), cpu)) {
            model.replace(SeedCnn.HEAD, new Linear(SeedCnn.HIDDEN, 5, true, new Generator(2), cpu)).close();
            SafeTensors.write(five, model.stateDict(), Map.of());
        }
        var e = refused("--checkpoint", five.toString(), "--backend", "cpu");
        assertContains(e.getMessage(), five.toString(), "tensor classifier.3.weight: file has [5, 64] F32, expected [10, 64] F32",
                "tensor classifier.3.bias: file has [5] F32, expected [10] F32");
    }

    @Test
    void missingAndUnexpectedTensorsAreListed() throws IOException {
        Path renamed = dir.resolve("renamed.safetensors");
        try (SeedCnn model = new SeedCnn(10, new Generator(1), cpu)) {
            Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
            state.put("features.0.kernel", state.remove("features.0.weight"));
            SafeTensors.write(renamed, state, Map.of());
        }
        var e = refused("--checkpoint", renamed.toString(), "--backend", "cpu");
        assertContains(e.getMessage(), "missing tensors [features.0.weight]", "unexpected tensors [features.0.kernel]");
    }

    @Test
    void aDamagedFileIsRefusedWithTheReason() throws IOException {
        Path cut = dir.resolve("cut.safetensors");
        try (SeedCnn model = new SeedCnn(10, new Generator(1), cpu)) {
            SafeTensors.write(cut, model.stateDict(), Map.of());
        }
        byte[] all = Files.readAllBytes(cut);
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 100));
        var e = refused("--checkpoint", cut.toString(), "--backend", "cpu");
        assertContains(e.getMessage(), "evaluate: " + cut + " is not a usable safetensors file", "cut.safetensors");
    }

    @Test
    void unwritableOutputsAreRefusedBeforeTheCheckpointIsRead() throws IOException {
        Path none = dir.resolve("no-such.safetensors"), folder = Files.createDirectories(dir.resolve("logits.json"));
        var e = refused("--checkpoint", none.toString(), "--backend", "cpu", "--logits-out", folder.toString());
        assertEquals("evaluate: --logits-out " + folder + ": is a folder, expected a file", e.getMessage());
        Path aFile = Files.writeString(dir.resolve("plain"), "x"), metrics = aFile.resolve("m.json");
        e = refused("--checkpoint", none.toString(), "--backend", "cpu", "--metrics-out", metrics.toString());
        assertEquals("evaluate: --metrics-out " + metrics + ": cannot create folder " + aFile + ": " + aFile + " is not a folder", e.getMessage());
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        var e = refused("--logits-count", "0");
        assertContains(e.getMessage(), "--logits-count must be >= 1, got 0", "usage: ./kiln evaluate");
        e = refused("--backend", "tpu");
        assertContains(e.getMessage(), "--backend must be one of auto, cpu, cuda, got 'tpu'");
    }

    /**
     * Reference: each image through the model alone ([1, 1, 28, 28]); labels are chosen so that
     * the first half agrees with the reference prediction and the second half does not.
     */
    @Test
    void accuracyAndLogitsMatchTheModelRunImageByImage() throws Exception {
        Generator g = new Generator(7);
        byte[] pixels = new byte[IMAGES * SIDE * SIDE];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (g.nextInt(4) == 0 ? g.nextInt(256) : 0);
        Path ckpt = dir.resolve("seed.safetensors");
        float[][] reference = new float[IMAGES][];
        int[] predicted = new int[IMAGES];
        byte[] labels = new byte[IMAGES];
        try (SeedCnn model = new SeedCnn(10, new Generator(3), cpu)) {
            SafeTensors.write(ckpt, model.stateDict(), Map.of());
            model.eval();
            for (int i = 0; i < IMAGES; i++) {
                float[] x = new float[SIDE * SIDE];
                for (int k = 0; k < x.length; k++) x[k] = (pixels[i * SIDE * SIDE + k] & 0xFF) / 255f;
                try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
                    reference[i] = model.forward(Tensor.fromArray(cpu, x, 1, 1, SIDE, SIDE)).toFloatArray();
                }
                for (int c = 1; c < 10; c++) if (reference[i][c] > reference[i][predicted[i]]) predicted[i] = c;
                labels[i] = (byte) (i < IMAGES / 2 ? predicted[i] : (predicted[i] + 1) % 10);
            }
        }
        Path data = Files.createDirectories(dir.resolve("mnist"));
        Files.write(data.resolve("t10k-images-idx3-ubyte"), TinyMnist.idx(0x0803, new int[] {IMAGES, SIDE, SIDE}, pixels));
        Files.write(data.resolve("t10k-labels-idx1-ubyte"), TinyMnist.idx(0x0801, new int[] {IMAGES}, labels));
        Path logits = dir.resolve("out/logits.json"), metrics = dir.resolve("out/metrics.json");

        EvaluateCommand.Result r = EvaluateCommand.run(EvaluateCommand.options().parse(new String[] {"--checkpoint", ckpt.toString(),
                "--data", data.toString(), "--backend", "cpu", "--logits-out", logits.toString(), "--logits-count", "5",
                "--metrics-out", metrics.toString()}));

        assertEquals(IMAGES / 2, r.correct());
        assertEquals(IMAGES, r.total());
        String json = Files.readString(logits);
        List<float[]> rows = numberLists(json.substring(json.indexOf("\"logits\"")), 5);
        for (int i = 0; i < 5; i++) {
            for (int c = 0; c < 10; c++) assertEquals(reference[i][c], rows.get(i)[c], 1e-4f, "logit " + c + " of image " + i);
        }
        float[] preds = numberLists(json.substring(json.indexOf("\"predictions\"")), 1).get(0);
        assertEquals(IMAGES, preds.length);
        for (int i = 0; i < IMAGES; i++) assertEquals(predicted[i], (int) preds[i], "prediction of image " + i);
        assertContains(Files.readString(metrics), "\"test_correct\": " + IMAGES / 2, "\"test_images\": " + IMAGES);
    }

    /** The first {@code n} innermost {@code [a, b, ...]} number lists of {@code json}. */
    private static List<float[]> numberLists(String json, int n) {
        List<float[]> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\[([-0-9.eE, ]+)]").matcher(json);
        while (out.size() < n && m.find()) {
            String[] parts = m.group(1).split(",");
            float[] v = new float[parts.length];
            for (int i = 0; i < parts.length; i++) v[i] = Float.parseFloat(parts[i].trim());
            out.add(v);
        }
        return out;
    }
}
