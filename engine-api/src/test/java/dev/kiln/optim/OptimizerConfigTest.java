package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Groups, defaults, validation and state import/export that need no arithmetic. */
class OptimizerConfigTest {
    private final Backend host = HostOnlyBackend.create("host", new Device("host", 0));

    private Tensor param(int... shape) {
        return Tensor.full(host, 0f, shape).unscope().requiresGrad(true);
    }

    @Test
    void groupsTakeTheDefaultsTheyDoNotSet() {
        Tensor a = param(2), b = param(3);
        try (a; b; Adam adam = Adam.builder(List.of(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b)).lr(0.5).weightDecay(0.2)))
                .lr(1e-3).build()) {
            assertEquals(1e-3, adam.paramGroups().get(0).lr());
            assertEquals(0.0, adam.paramGroups().get(0).weightDecay());
            assertEquals(0.5, adam.paramGroups().get(1).lr());
            assertEquals(0.5, adam.paramGroups().get(1).initialLr());
            assertEquals(0.2, adam.paramGroups().get(1).weightDecay());
        }
    }

    @Test
    void adamWDefaultsToPyTorchWeightDecay() {
        try (Tensor a = param(2); AdamW w = new AdamW(List.of(a))) {
            assertEquals(0.01, w.paramGroups().get(0).weightDecay());
            assertEquals(1e-3, w.paramGroups().get(0).lr());
        }
    }

    @Test
    void invalidConfigurationsAreRejected() {
        try (Tensor a = param(2)) {
            assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(a, a), 0.1));
            assertThrows(IllegalArgumentException.class, () -> SGD.builder(List.of(a)).lr(0.1).nesterov(true).build());
            assertThrows(IllegalArgumentException.class, () -> SGD.builder(List.of(a)).lr(0.1).momentum(0.9).dampening(0.1).nesterov(true).build());
            assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(a), -0.1));
            assertThrows(IllegalArgumentException.class, () -> Adam.builder(List.of(ParamGroup.of(List.of(a)))).betas(1.0, 0.999));
            assertThrows(IllegalArgumentException.class, () -> ParamGroup.of(List.of(a)).lr(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> GradientClipping.clipGradNorm(List.of(a), -1));
        }
    }

    @Test
    void stateImportCopiesTensorsStepsAndGroupSettings() {
        Tensor a = param(2), b = param(1, 3);
        Tensor m = Tensor.fromArray(host, new float[] {1, 2, 3}, 1, 3).unscope();
        Tensor v = Tensor.fromArray(host, new float[] {4, 5, 6}, 1, 3).unscope();
        try (a; b; m; v; Adam adam = new Adam(List.of(a, b), 1e-3)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("1.exp_avg", m);
            tensors.put("1.exp_avg_sq", v);
            Map<String, Double> scalars = new LinkedHashMap<>();
            scalars.put("1.step", 7.0);
            scalars.put("group.0.lr", 0.25);
            scalars.put("group.0.initial_lr", 0.5);
            adam.loadState(new OptimizerState(tensors, scalars));

            OptimizerState out = adam.state();
            assertEquals(List.of("1.exp_avg", "1.exp_avg_sq"), List.copyOf(out.tensors().keySet()));
            assertNotSame(m, out.tensors().get("1.exp_avg"));
            assertArrayEquals(m.toFloatArray(), out.tensors().get("1.exp_avg").toFloatArray());
            assertArrayEquals(v.toFloatArray(), out.tensors().get("1.exp_avg_sq").toFloatArray());
            assertEquals(7.0, out.scalars().get("1.step"));
            assertEquals(0.25, out.scalars().get("group.0.lr"));
            assertEquals(0.5, adam.paramGroups().get(0).initialLr());
            assertTrue(!out.scalars().containsKey("0.step"));
        }
    }

    @Test
    void badStateIsRefusedAndLeavesTheOptimizerUnchanged() {
        Tensor a = param(2), wrong = Tensor.full(host, 1f, 3).unscope();
        try (a; wrong; SGD sgd = SGD.builder(List.of(a)).lr(0.1).momentum(0.9).build()) {
            var e1 = assertThrows(IllegalArgumentException.class,
                    () -> sgd.loadState(new OptimizerState(Map.of("0.momentum_buffer", wrong), Map.of())));
            assertTrue(e1.getMessage().contains("0.momentum_buffer"), e1.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class,
                    () -> sgd.loadState(new OptimizerState(Map.of(), Map.of("5.step", 1.0))));
            assertTrue(e2.getMessage().contains("names no parameter"), e2.getMessage());
            assertThrows(IllegalArgumentException.class, () -> sgd.loadState(new OptimizerState(Map.of(), Map.of("group.0.lr", -1.0))));
            assertThrows(IllegalArgumentException.class, () -> sgd.loadState(new OptimizerState(Map.of(), Map.of("bogus", 1.0))));
            assertEquals(0.1, sgd.paramGroups().get(0).lr());
            assertTrue(sgd.state().tensors().isEmpty());
        }
    }

    @Test
    void stepSkipsParametersWithoutGradients() {
        try (Tensor a = param(2); SGD sgd = SGD.builder(List.of(a)).lr(0.1).momentum(0.9).build()) {
            sgd.step(); // no gradient anywhere: no backend call, no state
            assertTrue(sgd.state().tensors().isEmpty());
            assertEquals(0.0, GradientClipping.clipGradNorm(List.of(a), 1.0));
        }
    }
}
