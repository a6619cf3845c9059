package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.io.SafeTensorsHeader;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import dev.kiln.testing.RecurrentFixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RNN, LSTM and GRU structure on a storage-only backend: PyTorch's parameter names, order, shapes
 * and counts (written out from PyTorch 1.13's {@code nn.LSTM(10, 20, 2, bidirectional=True)} and
 * friends), the U(-1/sqrt(hidden), 1/sqrt(hidden)) initialisation, option validation, and that every
 * PyTorch parity fixture's state dict has exactly the names and shapes of the Kiln module built with
 * the same options (so checkpoints load both ways).
 */
class RecurrentStructureTest {
    private final Backend host = HostOnlyBackend.create("host", new Device("host", 0));

    @Test
    void lstmHasPyTorchNamesShapesAndCount() {
        try (LSTM m = LSTM.builder(10, 20).numLayers(2).bidirectional(true).backend(host).generator(new Generator(1)).build()) {
            Map<String, Tensor> p = m.namedParameters();
            assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                    "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                    "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                    "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"), List.copyOf(p.keySet()));
            assertArrayEquals(new int[] {80, 10}, p.get("weight_ih_l0").shape());
            assertArrayEquals(new int[] {80, 20}, p.get("weight_hh_l0_reverse").shape());
            assertArrayEquals(new int[] {80, 40}, p.get("weight_ih_l1").shape());
            assertArrayEquals(new int[] {80}, p.get("bias_hh_l1_reverse").shape());
            // sum(p.numel() for p in nn.LSTM(10, 20, 2, bidirectional=True).parameters()) in PyTorch 1.13
            assertEquals(15_040, m.parameters().stream().mapToLong(Tensor::numel).sum());
            assertTrue(m.namedBuffers().isEmpty());
        }
    }

    @Test
    void gruAndRnnCountsMatchPyTorch() {
        try (GRU g = GRU.builder(10, 20).numLayers(3).backend(host).build();
             RNN r = RNN.builder(10, 20).bias(false).bidirectional(true).nonlinearity("relu").backend(host).build()) {
            assertEquals(6_960, g.parameters().stream().mapToLong(Tensor::numel).sum()); // nn.GRU(10, 20, 3)
            assertArrayEquals(new int[] {60, 20}, g.namedParameters().get("weight_ih_l2").shape());
            assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse"),
                    List.copyOf(r.namedParameters().keySet()));
            assertEquals(1_200, r.parameters().stream().mapToLong(Tensor::numel).sum()); // nn.RNN(10, 20, bias=False, bidirectional=True)
            assertEquals("RNN(10, 20, bias=false, bidirectional=true, nonlinearity=relu)", r.toString());
            assertEquals("GRU(10, 20, num_layers=3)", g.toString());
        }
    }

    @Test
    void everyParameterIsUniformWithinOneOverSqrtHidden() {
        try (LSTM m = LSTM.builder(7, 16).numLayers(2).backend(host).generator(new Generator(3)).build()) {
            double bound = 1 / Math.sqrt(16);
            for (var e : m.namedParameters().entrySet()) {
                float[] v = e.getValue().toFloatArray();
                double max = 0;
                for (float x : v) {
                    assertTrue(Math.abs(x) <= bound, e.getKey() + ": " + x + " outside +-" + bound);
                    max = Math.max(max, Math.abs(x));
                }
                assertTrue(max > 0.8 * bound, e.getKey() + ": max |w| " + max + " far below " + bound);
                assertTrue(e.getValue().requiresGrad(), e.getKey());
            }
        }
    }

    @Test
    void invalidOptionsAreRejectedWithTheirValues() {
        var e = assertThrows(IllegalArgumentException.class, () -> LSTM.builder(0, 4).backend(host).build());
        assertEquals("lstm: input_size and hidden_size must be >= 1, got 0 and 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GRU.builder(3, 4).numLayers(0).backend(host).build());
        assertEquals("gru: num_layers must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RNN.builder(3, 4).dropout(1f).backend(host).build());
        assertEquals("rnn: dropout must be in [0, 1), got 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RNN.builder(3, 4).nonlinearity("gelu").backend(host).build());
        assertEquals("rnn: unknown nonlinearity 'gelu' (expected 'tanh' or 'relu')", e.getMessage());
    }

    @Test
    void inputShapesAreCheckedBeforeAnyCompute() {
        try (LSTM m = LSTM.builder(5, 4).numLayers(2).backend(host).build()) {
            var e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.full(host, 0f, 3, 2, 6)));
            assertEquals("lstm: input.size(-1) must be equal to input_size. Expected 5, got 6", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.full(host, 0f, 5)));
            assertEquals("lstm: expected input to be 2-D or 3-D but received 1-D tensor of shape [5]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.run(Tensor.full(host, 0f, 3, 2, 5), new LSTM.State(Tensor.full(host, 0f, 1, 2, 4), null)));
            assertEquals("lstm: expected hx of size [2, 2, 4], got [1, 2, 4]", e.getMessage());
        }
    }

    @Test
    void cellAndScanErrorsNameTheOperandAndShapes() {
        Tensor x8 = Tensor.full(host, 0f, 2, 8), c2 = Tensor.full(host, 0f, 2, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> Functional.lstmCell(x8, Tensor.full(host, 0f, 2, 6), c2));
        assertEquals("lstm_cell: expected hidden_gates of shape [2, 8] ([batch, 4 * hidden] for cx [2, 2]), got [2, 6]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.gruCell(x8, x8, c2));
        assertEquals("gru_cell: expected input_gates of shape [2, 6] ([batch, 3 * hidden] for hx [2, 2]), got [2, 8]", e.getMessage());
        Tensor seq = Tensor.full(host, 0f, 3, 2, 8);
        e = assertThrows(IllegalArgumentException.class, () -> Functional.lstmScan(seq, Tensor.full(host, 0f, 8, 3), null, null, null, false));
        assertEquals("lstm: expected weight_hh of shape [4 * hidden, hidden], got [8, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Functional.gruScan(seq, Tensor.full(host, 0f, 6, 2), null, null, false));
        assertEquals("gru: expected input_gates of shape [seq_len, batch, 6] (weight_hh [6, 2]), got [3, 2, 8]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Functional.lstmScan(seq, Tensor.full(host, 0f, 8, 2), null, Tensor.full(host, 0f, 3, 2), null, true));
        assertEquals("lstm: expected h0 of shape [2, 2] [batch, hidden], got [3, 2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Functional.rnnScan(Tensor.full(host, 0f, 3, 2, 2), Tensor.full(host, 0f, 2, 2), null, null, "sigmoid", false));
        assertEquals("rnn: unknown nonlinearity 'sigmoid' (expected 'tanh' or 'relu')", e.getMessage());
    }

    /** The reverse direction of the parity tests: Kiln's state dict has exactly PyTorch's keys and shapes. */
    @Test
    void stateDictsMatchThePyTorchFixtures(@TempDir Path dir) throws Exception {
        for (String name : RecurrentFixtures.NAMES) {
            Path file = RecurrentFixtures.copy(name, dir);
            Map<String, int[]> torch = new TreeMap<>();
            SafeTensorsHeader header = RecurrentFixtures.header(file);
            header.tensors().forEach((k, info) -> {
                if (k.startsWith("param.")) torch.put(k.substring("param.".length()), info.shape());
            });
            try (Module m = RecurrentFixtures.build(header.metadata(), host, new Generator(1))) {
                Map<String, Tensor> kiln = new TreeMap<>(m.stateDict());
                assertEquals(torch.keySet(), kiln.keySet(), name);
                for (var e : kiln.entrySet()) assertArrayEquals(torch.get(e.getKey()), e.getValue().shape(), name + " " + e.getKey());
            }
        }
    }
}
