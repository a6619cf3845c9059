package dev.kiln.nn.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.internal.TensorAccess;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.AdamW;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Scope;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.Compare;
import dev.kiln.testing.GradCheck;
import dev.kiln.testing.Nd;
import dev.kiln.testing.Tolerances;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LoRA on the CPU backend: equality with the base at initialisation, training, merging, and gradients against float64 finite differences. */
class LoraTest {
    static final Backend CPU = Kiln.backend("cpu");
    static final int D = 6, OUT = 5;

    static Tensor input(long seed, int n) {
        return Tensor.randn(new Generator(seed), n, D).to(CPU);
    }

    static float[] eval(Module m, Tensor x) {
        m.eval();
        try (var _ = Kiln.noGrad(); Scope _ = Scope.open()) {
            return m.forward(x).toFloatArray();
        }
    }

    /** Overwrites {@code t}'s values on its backend. */
    static void set(Tensor t, float[] values) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(ValueLayout.JAVA_FLOAT, values.length);
            MemorySegment.copy(values, 0, host, ValueLayout.JAVA_FLOAT, 0, values.length);
            t.backend().copyFromHost(host, TensorAccess.storage(t));
        }
    }

    static float[] random(long seed, int n, float scale) {
        float[] v = new float[n];
        new Generator(seed).fillNormal(v, 0f, scale);
        return v;
    }

    @Test
    void atInitialisationTheAdaptedModelComputesExactlyTheBase() {
        try (Scope _ = Scope.open(); ToyGpt model = new ToyGpt(2, D, OUT, 1, CPU)) {
            Tensor x = input(7, 4);
            float[] before = eval(model, x);
            Map<String, Tensor> baseState = new LinkedHashMap<>(model.stateDict());
            LoraAdaptation a = Lora.apply(model, LoraConfig.builder().rank(3).alpha(6).dropout(0.25f).withMlp().build());
            assertEquals(List.of("transformer.h.0.attn.c_attn", "transformer.h.0.attn.c_proj", "transformer.h.0.mlp.c_fc",
                    "transformer.h.0.mlp.c_proj", "transformer.h.1.attn.c_attn", "transformer.h.1.attn.c_proj", "transformer.h.1.mlp.c_fc",
                    "transformer.h.1.mlp.c_proj"), a.paths());
            assertArrayEquals(before, eval(model, x), "eval output equals the base's bit for bit");
            model.train(); // dropout on the adapter input changes nothing while B is zero
            try (var _ = Kiln.noGrad()) {
                assertArrayEquals(before, model.forward(x).toFloatArray(), "training-mode output equals the base's");
            }
            // the base's names, order and tensors are unchanged; adapters come after each layer's own
            Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
            state.keySet().removeIf(k -> k.contains(".lora_"));
            assertEquals(List.copyOf(baseState.keySet()), List.copyOf(state.keySet()));
            baseState.forEach((k, t) -> assertTrue(t == state.get(k), k + " is the same tensor"));
        }
    }

    @Test
    void applyFreezesTheBaseAndDrawsAdaptersLikePeft() {
        try (ToyGpt model = new ToyGpt(2, D, OUT, 1, CPU)) {
            LoraAdaptation a = Lora.apply(model, LoraConfig.builder().rank(2).alpha(4).seed(42).build());
            assertEquals(List.of("transformer.h.0.attn.c_attn", "transformer.h.0.attn.c_proj", "transformer.h.1.attn.c_attn",
                    "transformer.h.1.attn.c_proj"), a.paths());
            Map<String, Tensor> trainable = model.namedTrainableParameters();
            List<String> expectedNames = new ArrayList<>();
            for (String p : a.paths()) {
                expectedNames.add(p + ".lora_A.weight");
                expectedNames.add(p + ".lora_B.weight");
            }
            assertEquals(expectedNames, List.copyOf(trainable.keySet()));
            assertEquals(List.copyOf(trainable.values()), model.trainableParameters());
            long adapters = 2L * (2 * (D + 3 * D) + 2 * (3 * D + D)); // per block: r (in + out) for c_attn and c_proj
            assertEquals(adapters, a.trainableParameters());
            assertEquals(model.parameters().stream().mapToLong(Tensor::numel).sum(), a.totalParameters());
            // A: U(-1/sqrt(in), 1/sqrt(in)) from Generator(seed), in module order, each followed by its dropout seed; B: zeros
            Generator g = new Generator(42);
            for (String p : a.paths()) {
                LoraLinear l = assertInstanceOf(LoraLinear.class, model.get(p));
                int in = l.inFeatures();
                assertArrayEquals(new int[] {2, in}, l.loraA().shape());
                assertArrayEquals(new int[] {l.outFeatures(), 2}, l.loraB().shape());
                float bound = (float) (1 / Math.sqrt(in));
                float[] expectedA = new float[2 * in];
                g.fillUniform(expectedA, -bound, bound);
                g.nextLong();
                assertArrayEquals(expectedA, l.loraA().toFloatArray(), p);
                assertArrayEquals(new float[l.outFeatures() * 2], l.loraB().toFloatArray(), p);
                assertEquals(2.0, l.scaling());
                assertFalse(l.weight().requiresGrad(), p + ".weight frozen");
            }
            assertFalse(model.get("lm_head").parameters().get(0).requiresGrad(), "non-target layers frozen too");
        }
    }

    @Test
    void trainingChangesOnlyTheAdaptersAndTheOptimizerSkipsFrozenWeights() {
        try (Scope _ = Scope.open(); ToyGpt model = new ToyGpt(1, D, OUT, 1, CPU); ToyGpt teacher = new ToyGpt(1, D, OUT, 99, CPU)) {
            Tensor x = input(3, 16);
            Tensor y = Tensor.fromArray(CPU, eval(teacher, x), 16, OUT);
            Lora.apply(model, LoraConfig.builder().rank(2).alpha(4).withMlp().build());
            Map<String, float[]> frozen = new LinkedHashMap<>(), adapters = new LinkedHashMap<>();
            model.namedParameters().forEach((k, p) -> (p.requiresGrad() ? adapters : frozen).put(k, p.toFloatArray()));
            model.train();
            double first = 0, last = 0;
            // every parameter, frozen ones included, with weight decay: a frozen weight must still not move
            try (AdamW opt = AdamW.builder(model.parameters()).lr(0.02).weightDecay(0.1).build()) {
                for (int step = 0; step < 40; step++) {
                    try (Scope _ = Scope.open()) {
                        opt.zeroGrad();
                        Tensor loss = Functional.mseLoss(model.forward(x), y, Reduction.MEAN);
                        loss.backward();
                        opt.step();
                        if (step == 0) first = loss.item();
                        last = loss.item();
                    }
                }
            }
            assertTrue(last < 0.8 * first, "loss fell from " + first + " to " + last);
            Map<String, Tensor> now = model.namedParameters();
            frozen.forEach((k, v) -> {
                assertArrayEquals(v, now.get(k).toFloatArray(), k + " bit-identical after training");
                assertNull(now.get(k).grad(), k + " got no gradient");
            });
            adapters.forEach((k, v) -> assertFalse(java.util.Arrays.equals(v, now.get(k).toFloatArray()), k + " trained"));
        }
    }

    @Test
    void mergeGivesPlainLinearsWithWPlusScaledBAAndTheSameOutputs() {
        try (Scope _ = Scope.open(); ToyGpt model = new ToyGpt(2, D, OUT, 1, CPU)) {
            Map<String, Tensor> baseState = new LinkedHashMap<>(model.stateDict());
            Lora.apply(model, LoraConfig.builder().rank(3).alpha(5).withMlp().build());
            Map<String, LoraLinear> adapted = Lora.adapters(model);
            Map<String, double[]> expected = new LinkedHashMap<>();
            int seed = 0;
            for (Map.Entry<String, LoraLinear> e : adapted.entrySet()) {
                LoraLinear l = e.getValue();
                set(l.loraB(), random(100 + seed++, l.outFeatures() * 3, 0.3f)); // a trained-looking B
                float[] w = l.weight().toFloatArray(), a = l.loraA().toFloatArray(), b = l.loraB().toFloatArray();
                int in = l.inFeatures(), out = l.outFeatures();
                double[] m = new double[out * in];
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        double s = 0;
                        for (int k = 0; k < 3; k++) s += (double) b[o * 3 + k] * a[k * in + i];
                        m[o * in + i] = w[o * in + i] + 5.0 / 3.0 * s;
                    }
                }
                expected.put(e.getKey(), m);
            }
            Tensor x = input(9, 5);
            float[] adaptedOut = eval(model, x);
            float[] bias = baseState.get("transformer.h.0.attn.c_attn.bias").toFloatArray();
            assertEquals(List.copyOf(adapted.keySet()), Lora.merge(model));
            for (Map.Entry<String, double[]> e : expected.entrySet()) {
                Linear l = assertInstanceOf(Linear.class, model.get(e.getKey()));
                Compare.assertClose(e.getKey() + ".weight", new Nd(l.weight().shape(), e.getValue()), l.weight(), Tolerances.FORWARD);
                assertFalse(l.weight().requiresGrad(), "keeps the frozen flag");
            }
            assertEquals(List.copyOf(baseState.keySet()), List.copyOf(model.stateDict().keySet()), "a plain model's names again");
            assertArrayEquals(bias, model.stateDict().get("transformer.h.0.attn.c_attn.bias").toFloatArray(), "bias kept");
            Compare.assertClose("merged output", Nd.of(adaptedOut, 5, OUT), eval(model, x), Tolerances.FORWARD);
            assertTrue(Lora.adapters(model).isEmpty());
        }
    }

    /** The layer's output in float64: {@code x W^T + b + s * x A^T B^T}. */
    static Nd reference(Nd[] in, double scaling) {
        Nd x = in[0], w = in[1], b = in[2], a = in[3], bb = in[4];
        int n = x.dim(0), inF = x.dim(1), out = w.dim(0), r = a.dim(0);
        Nd y = Nd.zeros(n, out);
        for (int s = 0; s < n; s++) {
            double[] ax = new double[r];
            for (int k = 0; k < r; k++) for (int i = 0; i < inF; i++) ax[k] += a.at(k * inF + i) * x.at(s * inF + i);
            for (int o = 0; o < out; o++) {
                double v = b.at(o);
                for (int i = 0; i < inF; i++) v += x.at(s * inF + i) * w.at(o * inF + i);
                double u = 0;
                for (int k = 0; k < r; k++) u += bb.at(o * r + k) * ax[k];
                y.data()[s * out + o] = v + scaling * u;
            }
        }
        return y;
    }

    @Test
    void gradientsOfAAndBMatchFiniteDifferences() {
        try (Scope _ = Scope.open(); Linear base = new Linear(5, 4, true, new Generator(2), CPU)) {
            LoraLinear l = new LoraLinear(base, 2, 3.0, 0f, new Generator(5));
            base.requiresGrad(false);
            set(l.loraB(), random(6, 8, 0.5f));
            Tensor x = Tensor.fromArray(CPU, random(7, 15, 1f), 3, 5).requiresGrad(true);
            Nd projection = Nd.of(random(8, 12, 1f), 3, 4);
            Tensor y = l.forward(x);
            Nd[] inputs = {Nd.of(x.toFloatArray(), 3, 5), Nd.of(l.weight().toFloatArray(), 4, 5), Nd.of(l.bias().toFloatArray(), 4),
                    Nd.of(l.loraA().toFloatArray(), 2, 5), Nd.of(l.loraB().toFloatArray(), 4, 2)};
            Compare.assertClose("forward", reference(inputs, 1.5), y, Tolerances.FORWARD);
            y.mul(Tensor.fromArray(CPU, projection.toFloats(), 3, 4)).sum().backward();
            Compare.assertClose("dL/dx", GradCheck.gradient(in -> reference(in, 1.5), inputs, 0, projection), x.grad(), Tolerances.GRADIENT);
            Compare.assertClose("dL/dA", GradCheck.gradient(in -> reference(in, 1.5), inputs, 3, projection), l.loraA().grad(), Tolerances.GRADIENT);
            Compare.assertClose("dL/dB", GradCheck.gradient(in -> reference(in, 1.5), inputs, 4, projection), l.loraB().grad(), Tolerances.GRADIENT);
            assertNull(l.weight().grad(), "frozen base weight gets no gradient");
            l.loraA().close();
            l.loraB().close();
        }
    }

    @Test
    void adapterDropoutActsOnlyInTraining() {
        try (Scope _ = Scope.open(); Linear base = new Linear(D, 8, true, new Generator(2), CPU)) {
            LoraLinear l = new LoraLinear(base, 4, 4.0, 0.5f, new Generator(5));
            set(l.loraB(), random(6, 32, 0.5f));
            Tensor x = input(1, 3);
            float[] evalOut = eval(l, x);
            Nd[] in = {Nd.of(x.toFloatArray(), 3, D), Nd.of(l.weight().toFloatArray(), 8, D), Nd.of(l.bias().toFloatArray(), 8),
                    Nd.of(l.loraA().toFloatArray(), 4, D), Nd.of(l.loraB().toFloatArray(), 8, 4)};
            Compare.assertClose("eval: no dropout", reference(in, 1.0), evalOut, Tolerances.FORWARD);
            l.train();
            try (var _ = Kiln.noGrad()) {
                assertFalse(java.util.Arrays.equals(evalOut, l.forward(x).toFloatArray()), "training drops adapter inputs");
            }
            l.loraA().close();
            l.loraB().close();
        }
    }
}
