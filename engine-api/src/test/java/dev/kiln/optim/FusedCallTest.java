package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.Backend;
import dev.kiln.spi.SgdSpec;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the optimizers ask of the backend's fused steps: specs, batching, step counts, skipping. */
class FusedCallTest {
    private final List<Object[]> calls = new ArrayList<>();
    private final Backend host = HostOnlyBackend.create("host", new Device("host", 0), calls);

    private Tensor param(boolean withGrad) {
        Tensor p = Tensor.full(host, 0f, 3).unscope().requiresGrad(true);
        if (withGrad) p.setGrad(Tensor.full(host, 1f, 3));
        return p;
    }

    @Test
    void sgdMarksTheFirstStepPerParameterAndSkipsFrozenOnes() {
        Tensor a = param(true), b = param(false), frozen = param(true);
        frozen.requiresGrad(false);
        try (a; b; frozen; SGD sgd = SGD.builder(List.of(ParamGroup.of(List.of(a, b, frozen)).weightDecay(0.5))).lr(0.1).momentum(0.9).nesterov(true).build()) {
            sgd.step();
            assertEquals(1, calls.size());
            SgdSpec s = (SgdSpec) calls.get(0)[1];
            assertEquals(new SgdSpec(0.1f, 0.9f, 0f, 0.5f, true, true), s);
            assertEquals(1, calls.get(0)[2], "only the parameter with a gradient that is not frozen");
            assertEquals(1, calls.get(0)[3], "one momentum buffer");

            b.setGrad(Tensor.full(host, 1f, 3));
            sgd.paramGroups().get(0).lr(0.05);
            sgd.step();
            // a has history, b starts now: two fused calls
            assertEquals(3, calls.size());
            List<Boolean> firsts = List.of(((SgdSpec) calls.get(1)[1]).firstStep(), ((SgdSpec) calls.get(2)[1]).firstStep());
            assertTrue(firsts.contains(true) && firsts.contains(false), firsts.toString());
            assertEquals(0.05f, ((SgdSpec) calls.get(1)[1]).lr());
        }
    }

    @Test
    void plainSgdPassesNoMomentumBuffers() {
        try (Tensor a = param(true); SGD sgd = new SGD(List.of(a), 0.1)) {
            sgd.step();
            assertEquals(0, calls.get(0)[3]);
        }
    }

    @Test
    void adamCountsStepsPerParameterAndAdamWDecouples() {
        Tensor a = param(true), b = param(false);
        try (a; b; Adam adam = new Adam(List.of(a, b), 0.01)) {
            adam.step();
            b.setGrad(Tensor.full(host, 1f, 3));
            adam.step();
            // step 2: a at t=2, b at t=1, so two calls with distinct step counts
            assertEquals(3, calls.size());
            assertEquals(1L, ((AdamSpec) calls.get(0)[1]).step());
            List<Long> steps = List.of(((AdamSpec) calls.get(1)[1]).step(), ((AdamSpec) calls.get(2)[1]).step());
            assertTrue(steps.contains(1L) && steps.contains(2L), steps.toString());
            assertEquals(new AdamSpec(0.01f, 0.9f, 0.999f, 1e-8f, 0f, false, 1), calls.get(0)[1]);
            assertEquals(2.0, adam.state().scalars().get("0.step"));
            assertEquals(1.0, adam.state().scalars().get("1.step"));
        }
        calls.clear();
        try (Tensor c = param(true); AdamW w = new AdamW(List.of(c))) {
            w.step();
            assertEquals(new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, 1), calls.get(0)[1]);
        }
    }
}
