package dev.kiln.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.LayerNorm;
import dev.kiln.nn.LearnedPositionalEmbedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.RMSNorm;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which parameters decay (by module type and role, a tied weight once, frozen ones left out), and
 * AdamW's decoupled decay per group against float64 formulas.
 */
class WeightDecayGroupsTest {
    private static final int VOCAB = 11, WIDTH = 4;

    private final Backend cpu = Kiln.backend("cpu");

    /** A head that uses the token embedding's table as its weight: registered first, so its name is the tensor's first. */
    private static final class TiedHead extends Module {
        TiedHead(Tensor table) {
            registerParameter("weight", table);
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.matmul(parameter("weight").transpose(0, 1));
        }
    }

    /** A custom norm-like module with a 2-D scale, to check the extra no-decay types. */
    private static final class Scale extends Module {
        Scale(Backend backend) {
            registerParameter("gain", Tensor.fromArray(backend, new float[] {1, 1, 1, 1}, 2, 2).unscope().requiresGrad(true));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    /** head (tied to wte), wte, wpe, ln, fc (Linear with bias), rms, frozen (a frozen Linear), scale. */
    private final class Model extends Module {
        final Embedding wte;
        final Linear fc;
        final Linear frozen;

        Model() {
            Generator g = new Generator(1);
            wte = Embedding.builder(VOCAB, WIDTH).generator(g).backend(cpu).build();
            registerModule("head", new TiedHead(wte.weight()));
            registerModule("wte", wte);
            registerModule("wpe", new LearnedPositionalEmbedding(5, WIDTH, true, g, cpu));
            registerModule("ln", LayerNorm.builder(WIDTH).backend(cpu).build());
            fc = registerModule("fc", new Linear(WIDTH, WIDTH, true, g, cpu));
            registerModule("rms", new RMSNorm(new int[] {WIDTH}, 1e-6f, true, cpu));
            frozen = registerModule("frozen", new Linear(WIDTH, 2, true, g, cpu));
            frozen.requiresGrad(false);
            registerModule("scale", new Scale(cpu));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    void weightsDecayWhileBiasesNormsAndEmbeddingsIncludingTheTiedHeadDoNot() {
        try (Model m = new Model()) {
            WeightDecayGroups groups = WeightDecayGroups.of(m);
            assertEquals(List.of("fc.weight", "scale.gain"), List.copyOf(groups.decay().keySet()));
            assertEquals(List.of("head.weight", "wpe.weight", "ln.weight", "ln.bias", "fc.bias", "rms.weight"), List.copyOf(groups.noDecay().keySet()));
            assertSame(m.wte.weight(), groups.noDecay().get("head.weight"), "the tied table, once, under its first name; the embedding wins");
            assertTrue(groups.describe().startsWith("decay: 2 tensors, 20 parameters (fc.weight, scale.gain)\nno decay: 6 tensors, "),
                    groups.describe());

            WeightDecayGroups custom = WeightDecayGroups.of(m, Set.of(Scale.class));
            assertEquals(List.of("fc.weight"), List.copyOf(custom.decay().keySet()));
            assertTrue(custom.noDecay().containsKey("scale.gain"));
        }
    }

    @Test
    void trainableParametersLeaveFrozenOnesOut() {
        try (Model m = new Model()) {
            Map<String, Tensor> all = m.namedParameters(), trainable = m.namedTrainableParameters();
            assertEquals(all.size() - 2, trainable.size());
            assertTrue(all.containsKey("frozen.weight") && !trainable.containsKey("frozen.weight") && !trainable.containsKey("frozen.bias"));
            assertEquals(List.copyOf(trainable.values()), m.trainableParameters());
        }
    }

    @Test
    void adamWWithZeroGradientsDecaysOnlyTheDecayGroupByExactlyOneMinusLrTimesWd() {
        double lr = 0.05, wd = 0.2;
        try (Model m = new Model()) {
            WeightDecayGroups groups = WeightDecayGroups.of(m);
            Map<String, float[]> before = values(m);
            try (AdamW opt = AdamW.builder(groups.paramGroups(wd)).lr(lr).build()) {
                assertEquals(wd, opt.paramGroups().get(0).weightDecay());
                assertEquals(0, opt.paramGroups().get(1).weightDecay());
                try (var _ = Kiln.scope()) { // a zero gradient for every trainable parameter
                    Tensor zero = null;
                    for (Tensor p : m.trainableParameters()) zero = zero == null ? p.sum().mul(0f) : zero.add(p.sum().mul(0f));
                    zero.backward();
                }
                opt.step();
            }
            Map<String, float[]> after = values(m);
            for (String name : groups.decay().keySet()) {
                float[] b = before.get(name), a = after.get(name);
                for (int i = 0; i < b.length; i++) {
                    double want = b[i] * (1 - lr * wd); // float64; the kernel rounds twice in float32
                    assertEquals(want, a[i], 2 * Math.ulp((float) want), name + "[" + i + "]");
                }
            }
            for (String name : groups.noDecay().keySet()) assertArrayEquals(before.get(name), after.get(name), name + " must not move");
            assertArrayEquals(before.get("frozen.weight"), after.get("frozen.weight"), "frozen");
            assertNull(m.frozen.weight().grad(), "a frozen parameter gets no gradient");
        }
    }

    @Test
    void adamWDecaysBeforeTheAdamUpdateInEachGroup() {
        double lr = 0.01, wd = 0.5, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        try (Linear fc = new Linear(3, 2, true, new Generator(4), cpu)) {
            Tensor w = fc.weight(), bias = fc.parameters().get(1);
            float[] w0 = w.toFloatArray(), b0 = bias.toFloatArray();
            float[] cw = {0.3f, -1.5f, 2f, 0.01f, -0.2f, 1f}, cb = {-0.7f, 0.4f};
            try (AdamW opt = AdamW.builder(List.of(ParamGroup.of(List.of(w)).weightDecay(wd), ParamGroup.of(List.of(bias)).weightDecay(0)))
                    .lr(lr).build()) {
                for (int step = 1; step <= 2; step++) {
                    opt.zeroGrad();
                    try (var _ = Kiln.scope()) { // loss = sum(c * p): the gradient is c
                        w.mul(Tensor.fromArray(cpu, cw, 2, 3)).sum().add(bias.mul(Tensor.fromArray(cpu, cb, 2)).sum()).backward();
                    }
                    opt.step();
                }
            }
            assertClose(adamW(w0, cw, lr, wd, b1, b2, eps), w.toFloatArray(), "weight (decayed)");
            assertClose(adamW(b0, cb, lr, 0, b1, b2, eps), bias.toFloatArray(), "bias (not decayed)");
        }
    }

    /** Two AdamW steps in float64 with a constant gradient, PyTorch's order: decay, then the Adam update. */
    private static double[] adamW(float[] p0, float[] g, double lr, double wd, double b1, double b2, double eps) {
        double[] p = new double[p0.length];
        for (int i = 0; i < p.length; i++) {
            double x = p0[i], m = 0, v = 0;
            for (int t = 1; t <= 2; t++) {
                x -= lr * wd * x;
                m = b1 * m + (1 - b1) * g[i];
                v = b2 * v + (1 - b2) * g[i] * g[i];
                double mHat = m / (1 - Math.pow(b1, t)), vHat = v / (1 - Math.pow(b2, t));
                x -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            p[i] = x;
        }
        return p;
    }

    private static void assertClose(double[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-6 + 1e-5 * Math.abs(want[i]), what + "[" + i + "]");
    }

    private static Map<String, float[]> values(Module m) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        m.namedParameters().forEach((k, t) -> out.put(k, t.toFloatArray()));
        return out;
    }
}
