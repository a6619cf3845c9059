package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Module;
import dev.kiln.optim.schedule.WarmupCosine;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample models are the PyTorch peer's ({@code bench/peers/torch_seq.py}): the same
 * {@code state_dict} keys and shapes, in the same order, and, with the same closed-form weights,
 * the same logits. Both expectations were written by {@code torch_seq.py fixtures}.
 */
class SeqModelsTest {
    @TempDir
    Path dir;

    private static Module model(String name, Backend backend) {
        Generator g = new Generator(7);
        return name.equals("vit") ? new SeqModels.Vit(g, backend) : SeqModels.seqMnist(name.substring("seq-mnist-".length()), g, backend);
    }

    /** The lines of a fixture for {@code model}, without the model's name and without comments. */
    private static List<String[]> fixture(String file, String model) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (InputStream in = SeqModelsTest.class.getResourceAsStream(file)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.strip().split(" ");
                if (!line.startsWith("#") && f[0].equals(model)) out.add(Arrays.copyOfRange(f, 1, f.length));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"seq-mnist-lstm", "seq-mnist-gru", "seq-mnist-transformer", "vit"})
    void stateDictKeysAndShapesArePyTorchs(String name) throws IOException {
        List<String> expected = new ArrayList<>();
        for (String[] f : fixture("seq-models-state-dict.txt", name)) expected.add(f[0] + " " + f[1]);
        assertTrue(expected.size() >= 6, name + " has expectations");
        List<String> actual = new ArrayList<>();
        try (Module m = model(name, Kiln.useBackend("cpu"))) {
            m.stateDict().forEach((k, t) -> actual.add(k + " " + String.join("x", Arrays.stream(t.shape()).mapToObj(Integer::toString).toList())));
        }
        assertEquals(expected, actual);
    }

    /** PyTorch's closed-form weight values (torch_seq.py's closed_form) for parameter {@code k}. */
    private static float[] closedForm(int n, int k) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (0.2 * StrictMath.sin(0.37 * ((double) i * i) + 1.1 * k + 0.5));
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"seq-mnist-lstm", "seq-mnist-gru", "seq-mnist-transformer", "vit"})
    void logitsMatchPyTorchsForTheSameWeights(String name) throws IOException {
        Backend cpu = Kiln.useBackend("cpu");
        try (Module m = model(name, cpu); var _ = Kiln.scope(); var _ = Kiln.noGrad()) {
            Map<String, Tensor> weights = new LinkedHashMap<>();
            int k = 0;
            for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
                int[] shape = e.getValue().shape();
                weights.put(e.getKey(), Tensor.fromArray(cpu, closedForm(Math.toIntExact(e.getValue().numel()), k++), shape));
            }
            Path file = dir.resolve(name + ".safetensors");
            SafeTensors.write(file, weights, Map.of());
            SafeTensors.loadInto(file, m.stateDict(), true);
            m.eval();
            float[] x = new float[2 * 784];
            for (int n = 0; n < 2; n++) for (int j = 0; j < 784; j++) x[n * 784 + j] = (float) (2 * StrictMath.sin(0.11 * ((double) j * j) + n));
            float[] logits = m.forward(Tensor.fromArray(cpu, x, 2, 1, 28, 28)).toFloatArray();
            List<String[]> expected = fixture("seq-models-logits.txt", name);
            assertEquals(2, expected.size());
            for (String[] f : expected) {
                int n = Integer.parseInt(f[0]);
                float[] want = new float[10], got = Arrays.copyOfRange(logits, n * 10, n * 10 + 10);
                for (int c = 0; c < 10; c++) want[c] = Float.parseFloat(f[c + 1]);
                assertArrayEquals(want, got, 2e-5f, name + " image " + n + ": " + Arrays.toString(got));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 4, 7, 11})
    void theScheduleIsThePeersLambda(int step) {
        // torch_seq.py's schedule(step, total=12, warmup=4): (step + 1) / 4 during warm-up, then a cosine over the 8 steps left
        double[] peer = {0.25, 0.5, 0.75, 1.0, 1.0, 0, 0, 0.5 * (1 + Math.cos(Math.PI * 3 / 8)), 0, 0, 0, 0.5 * (1 + Math.cos(Math.PI * 7 / 8))};
        assertEquals(peer[step], new WarmupCosine(4, 12).lr(1.0, step), 1e-12);
        // no warm-up: PyTorch's CosineAnnealingLR(12, 0)
        assertEquals(0.5 * (1 + Math.cos(Math.PI * step / 12)), new WarmupCosine(0, 12).lr(2.0, step) / 2, 1e-12);
    }
}
