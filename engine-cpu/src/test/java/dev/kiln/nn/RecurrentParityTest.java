package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.cpu.CpuBackend;
import dev.kiln.io.LoadResult;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.TensorFile;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.RecurrentFixtures;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * RNN, LSTM and GRU against PyTorch 1.13 (fixtures from {@code bench/peers/torch_rnn_fixtures.py}):
 * the PyTorch state dict loads into the Kiln layer through {@link SafeTensors#loadInto} (strict, by
 * PyTorch's names), and the outputs, final states and the gradients of a fixed scalar loss with
 * respect to the input, the initial states and every parameter agree at float32 tolerances. Then
 * the reverse: the Kiln state dict written by {@link SafeTensors#write} holds exactly PyTorch's keys
 * and shapes.
 */
class RecurrentParityTest {
    private static final double ATOL = 2e-5, RTOL = 2e-4;
    private static CpuBackend cpu;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @TestFactory
    Stream<DynamicTest> outputsAndGradientsMatchPyTorch() {
        return RecurrentFixtures.NAMES.stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    private void check(String name) throws Exception {
        Path file = RecurrentFixtures.copy(name, dir);
        try (TensorFile fx = SafeTensors.read(file, cpu); Module m = RecurrentFixtures.build(fx.metadata(), cpu, new Generator(9));
             var scope = Kiln.scope()) {
            Map<String, Tensor> t = fx.tensors();
            Path weights = dir.resolve(name + ".weights.safetensors");
            Map<String, Tensor> torchState = new LinkedHashMap<>();
            t.forEach((k, v) -> {
                if (k.startsWith("param.")) torchState.put(k.substring("param.".length()), v);
            });
            SafeTensors.write(weights, torchState, Map.of());
            LoadResult loaded = SafeTensors.loadInto(weights, m.stateDict(), true);
            assertEquals(m.stateDict().size(), loaded.loaded().size(), name + ": " + loaded);

            Tensor x = t.get("input").requiresGrad(true);
            Tensor h0 = t.containsKey("h0") ? t.get("h0").requiresGrad(true) : null;
            Tensor c0 = t.containsKey("c0") ? t.get("c0").requiresGrad(true) : null;
            Tensor out, hN, cN = null;
            switch (m) {
                case LSTM l -> {
                    LSTM.Result r = l.run(x, h0 == null ? null : new LSTM.State(h0, c0));
                    out = r.output();
                    hN = r.hN();
                    cN = r.cN();
                }
                case GRU g -> {
                    GRU.Result r = g.run(x, h0);
                    out = r.output();
                    hN = r.hN();
                }
                case RNN n -> {
                    RNN.Result r = n.run(x, h0);
                    out = r.output();
                    hN = r.hN();
                }
                default -> throw new AssertionError(m.toString());
            }
            close(name + " output", t.get("output"), out);
            close(name + " h_n", t.get("h_n"), hN);
            Tensor loss = out.mul(t.get("proj.output")).sum().add(hN.mul(t.get("proj.h_n")).sum());
            if (cN != null) {
                close(name + " c_n", t.get("c_n"), cN);
                loss = loss.add(cN.mul(t.get("proj.c_n")).sum());
            }
            loss.backward();
            close(name + " d loss / d input", t.get("grad.input"), x.grad());
            if (h0 != null) close(name + " d loss / d h0", t.get("grad.h0"), h0.grad());
            if (c0 != null) close(name + " d loss / d c0", t.get("grad.c0"), c0.grad());
            for (var e : m.namedParameters().entrySet()) {
                close(name + " d loss / d " + e.getKey(), t.get("grad." + e.getKey()), e.getValue().grad());
            }
        }
    }

    /** Kiln's checkpoint of each layer holds PyTorch's keys and shapes, read back from the written file. */
    @Test
    void savedStateDictsHavePyTorchKeysAndShapes() throws Exception {
        for (String name : RecurrentFixtures.NAMES) {
            var header = RecurrentFixtures.header(RecurrentFixtures.copy(name, dir));
            Map<String, int[]> torch = new TreeMap<>();
            header.tensors().forEach((k, info) -> {
                if (k.startsWith("param.")) torch.put(k.substring("param.".length()), info.shape());
            });
            Path saved = dir.resolve(name + ".kiln.safetensors");
            try (Module m = RecurrentFixtures.build(header.metadata(), cpu, new Generator(4))) {
                SafeTensors.write(saved, m.stateDict(), Map.of());
            }
            Map<String, int[]> kiln = new TreeMap<>();
            RecurrentFixtures.header(saved).tensors().forEach((k, info) -> kiln.put(k, info.shape()));
            assertEquals(torch.keySet(), kiln.keySet(), name);
            for (String k : torch.keySet()) assertArrayEquals(torch.get(k), kiln.get(k), name + " " + k);
        }
    }

    private static void close(String what, Tensor expected, Tensor actual) {
        assertTrue(actual != null, what + ": missing");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            double diff = Math.abs(e[i] - a[i]);
            if (!(diff <= ATOL + RTOL * Math.abs(e[i]))) {
                throw new AssertionError(String.format("%s: element %d of %d: PyTorch %.8g, Kiln %.8g (|diff| %.3g)", what, i, e.length,
                        e[i], a[i], diff));
            }
        }
    }
}
