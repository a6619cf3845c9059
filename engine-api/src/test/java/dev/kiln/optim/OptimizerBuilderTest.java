package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Named optimizer options: PyTorch's defaults and a clear message for each value out of range. */
class OptimizerBuilderTest {
    private final Backend host = HostOnlyBackend.create("host", new Device("host", 0));

    private Tensor param() {
        return Tensor.full(host, 0f, 2).unscope().requiresGrad(true);
    }

    private static void rejects(String message, Executable configure) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, configure);
        assertEquals(message, e.getMessage());
    }

    @Test
    void sgdDefaultsAreTorchs() {
        try (Tensor p = param(); SGD sgd = SGD.builder(List.of(p)).build()) {
            assertEquals(1e-3, sgd.paramGroups().getFirst().lr());
            assertEquals(0.0, sgd.paramGroups().getFirst().weightDecay());
            assertEquals(0.0, sgd.momentum());
            assertEquals(0.0, sgd.dampening());
            assertFalse(sgd.nesterov());
        }
        try (Tensor p = param(); SGD sgd = SGD.builder(List.of(p)).lr(0.05).momentum(0.9).nesterov(true).weightDecay(1e-4).build()) {
            assertEquals(0.05, sgd.paramGroups().getFirst().lr());
            assertEquals(1e-4, sgd.paramGroups().getFirst().weightDecay());
            assertEquals(0.9, sgd.momentum());
            assertTrue(sgd.nesterov());
        }
    }

    @Test
    void adamAndAdamWDefaultsAreTorchs() {
        try (Tensor p = param(); Adam adam = Adam.builder(List.of(p)).build(); Tensor q = param();
             AdamW adamw = AdamW.builder(List.of(q)).build()) {
            for (Adam a : List.of(adam, adamw)) {
                assertEquals(1e-3, a.paramGroups().getFirst().lr());
                assertEquals(0.9, a.beta1());
                assertEquals(0.999, a.beta2());
                assertEquals(1e-8, a.eps());
            }
            assertEquals(0.0, adam.paramGroups().getFirst().weightDecay());
            assertEquals(0.01, adamw.paramGroups().getFirst().weightDecay());
        }
        try (Tensor p = param(); AdamW w = AdamW.builder(List.of(p)).lr(3e-4).betas(0.8, 0.95).eps(1e-6).weightDecay(0.05).build()) {
            assertEquals(3e-4, w.paramGroups().getFirst().lr());
            assertEquals(0.8, w.beta1());
            assertEquals(0.95, w.beta2());
            assertEquals(1e-6, w.eps());
            assertEquals(0.05, w.paramGroups().getFirst().weightDecay());
        }
    }

    @Test
    void eachSgdOptionOutOfRangeIsNamed() {
        try (Tensor p = param()) {
            rejects("SGD: lr must be finite and >= 0, got -0.1", () -> SGD.builder(List.of(p)).lr(-0.1));
            rejects("SGD: lr must be finite and >= 0, got NaN", () -> new SGD(List.of(p), Double.NaN));
            rejects("SGD: momentum must be finite and >= 0, got -0.9", () -> SGD.builder(List.of(p)).momentum(-0.9));
            rejects("SGD: dampening must be finite and >= 0, got Infinity", () -> SGD.builder(List.of(p)).dampening(Double.POSITIVE_INFINITY));
            rejects("SGD: weightDecay must be finite and >= 0, got -1.0", () -> SGD.builder(List.of(p)).weightDecay(-1));
            rejects("SGD: nesterov momentum requires momentum > 0 and dampening 0, got momentum 0.0, dampening 0.0",
                    () -> SGD.builder(List.of(p)).nesterov(true).build());
            rejects("SGD: nesterov momentum requires momentum > 0 and dampening 0, got momentum 0.9, dampening 0.1",
                    () -> SGD.builder(List.of(p)).momentum(0.9).dampening(0.1).nesterov(true).build());
        }
    }

    @Test
    void eachAdamOptionOutOfRangeIsNamed() {
        try (Tensor p = param()) {
            rejects("Adam: lr must be finite and >= 0, got -0.001", () -> Adam.builder(List.of(p)).lr(-1e-3));
            rejects("Adam: beta1 must be in [0, 1), got 1.0", () -> Adam.builder(List.of(p)).betas(1.0, 0.999));
            rejects("Adam: beta2 must be in [0, 1), got -0.5", () -> Adam.builder(List.of(p)).betas(0.9, -0.5));
            rejects("Adam: eps must be finite and >= 0, got NaN", () -> Adam.builder(List.of(p)).eps(Double.NaN));
            rejects("Adam: weightDecay must be finite and >= 0, got -0.1", () -> Adam.builder(List.of(p)).weightDecay(-0.1));
            rejects("AdamW: beta1 must be in [0, 1), got 1.5", () -> AdamW.builder(List.of(p)).betas(1.5, 0.999));
            rejects("AdamW: weightDecay must be finite and >= 0, got -0.01", () -> AdamW.builder(List.of(p)).weightDecay(-0.01));
            rejects("AdamW: lr must be finite and >= 0, got -1.0", () -> new AdamW(List.of(p), -1));
        }
    }
}
