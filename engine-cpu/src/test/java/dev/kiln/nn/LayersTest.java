package dev.kiln.nn;

import static dev.kiln.nn.AllClose.assertClose;
import static dev.kiln.nn.AllClose.d;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.internal.TensorAccess;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Padding;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.ops.Reduction;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Scope;
import dev.kiln.tensor.Tensor;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each layer and loss on the CPU backend against a naive float64 reference. */
class LayersTest {
    private final Backend cpu = Kiln.backend("cpu");
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Kiln.scope();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private Tensor randn(long seed, int... shape) {
        float[] v = new float[Math.toIntExact(dev.kiln.tensor.Shape.numel(shape))];
        new Generator(seed).fillNormal(v, 0f, 1f);
        return Tensor.fromArray(cpu, v, shape);
    }

    /** Overwrites a module-owned tensor (test set-up only). */
    private void set(Tensor target, float... values) {
        try (Tensor src = Tensor.fromArray(cpu, values, target.shape())) {
            cpu.copy(TensorAccess.storage(src), TensorAccess.storage(target));
        }
    }

    @Test
    void linearMatchesReference() {
        try (Linear l = new Linear(5, 3, true, new Generator(1), cpu)) {
            Tensor x = randn(2, 4, 5);
            Tensor y = l.forward(x);
            assertArrayEquals(new int[] {4, 3}, y.shape());
            assertClose(Reference.linear(d(x.toFloatArray()), d(l.weight().toFloatArray()), d(l.bias().toFloatArray()), 4, 5, 3),
                    y.toFloatArray(), "linear");
        }
        try (Linear l = new Linear(5, 2, false, new Generator(1), cpu)) {
            Tensor x = randn(3, 2, 5);
            assertClose(Reference.linear(d(x.toFloatArray()), d(l.weight().toFloatArray()), null, 2, 5, 2), l.forward(x).toFloatArray(), "linear no bias");
        }
    }

    @Test
    void conv2dSmallCaseMatchesReference() {
        Conv2dOptions opts = Conv2dOptions.defaults().stride(1, 2).padding(Padding.of(1));
        try (Conv2d c = new Conv2d(2, 3, 3, 2, opts, true, new Generator(4), cpu)) {
            Tensor x = randn(5, 2, 2, 5, 6);
            Tensor y = c.forward(x);
            int oh = (5 + 2 - 3) + 1, ow = (6 + 2 - 2) / 2 + 1;
            assertArrayEquals(new int[] {2, 3, oh, ow}, y.shape());
            double[] ref = Reference.conv2d(d(x.toFloatArray()), d(c.weight().toFloatArray()), d(c.bias().toFloatArray()),
                    2, 2, 5, 6, 3, 3, 2, 1, 2, 1, 1, oh, ow);
            assertClose(ref, y.toFloatArray(), "conv2d");
        }
    }

    @Test
    void batchNormTrainUsesBatchStatisticsAndUpdatesRunningOnes() {
        try (BatchNorm2d bn = new BatchNorm2d(2, 1e-5f, 0.1f, cpu)) {
            set(bn.namedParameters().get("weight"), 1.5f, -0.5f);
            set(bn.namedParameters().get("bias"), 0.25f, 2f);
            assertTrue(bn.summary(2, 2, 3, 3).contains("BatchNorm2d"));
            assertTrue(bn.isTraining(), "summary restores the mode");
            assertArrayEquals(new float[] {0, 0}, bn.namedBuffers().get("running_mean").toFloatArray(), "summary must not update running stats");
            Tensor x = randn(6, 3, 2, 2, 2);
            double[] xd = d(x.toFloatArray());
            double[] mean = Reference.channelMean(xd, 3, 2, 4);
            double[] biased = Reference.channelVar(xd, mean, 3, 2, 4, 0);
            double[] unbiased = Reference.channelVar(xd, mean, 3, 2, 4, 1);
            double[] gamma = {1.5, -0.5}, beta = {0.25, 2};
            assertClose(Reference.normalise(xd, mean, biased, gamma, beta, 1e-5, 3, 2, 4), bn.forward(x).toFloatArray(), 1e-5, 1e-5, "train output");
            assertClose(new double[] {0.1 * mean[0], 0.1 * mean[1]}, bn.namedBuffers().get("running_mean").toFloatArray(), "running_mean");
            assertClose(new double[] {0.9 + 0.1 * unbiased[0], 0.9 + 0.1 * unbiased[1]}, bn.namedBuffers().get("running_var").toFloatArray(), "running_var");

            bn.eval();
            double[] rm = d(bn.namedBuffers().get("running_mean").toFloatArray());
            double[] rv = d(bn.namedBuffers().get("running_var").toFloatArray());
            Tensor x2 = randn(7, 2, 2, 3, 1);
            assertClose(Reference.normalise(d(x2.toFloatArray()), rm, rv, gamma, beta, 1e-5, 2, 2, 3), bn.forward(x2).toFloatArray(), 1e-5, 1e-5, "eval output");
            assertArrayEquals(new float[] {(float) rm[0], (float) rm[1]}, bn.namedBuffers().get("running_mean").toFloatArray(),
                    "eval must not touch the running statistics");
            var e = assertThrows(IllegalArgumentException.class, () -> bn.forward(randn(1, 2, 3, 2, 2)));
            assertTrue(e.getMessage().contains("[N, 2, H, W]"), e.getMessage());
        }
    }

    @Test
    void dropoutIsIdentityInEvalAndDropsAboutPInTraining() {
        Dropout drop = new Dropout(0.3f, new Generator(11));
        Tensor x = Tensor.full(cpu, 1f, 100, 100);
        drop.eval();
        assertArrayEquals(x.toFloatArray(), drop.forward(x).toFloatArray());
        drop.train();
        float[] y = drop.forward(x).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) zeros++;
            else assertEquals(1 / 0.7f, v, 1e-6f);
        }
        double rate = zeros / (double) y.length;
        assertTrue(Math.abs(rate - 0.3) < 0.02, "drop rate " + rate + " (binomial sd 0.0046)"); // > 4 sd
        float[] again = new Dropout(0.3f, new Generator(11)).forward(x).toFloatArray();
        assertArrayEquals(y, again, "same seed, same mask");
    }

    @Test
    void poolingMatchesReference() {
        Tensor x = randn(8, 1, 2, 4, 6);
        float[] xv = x.toFloatArray();
        double[] max = new double[2 * 2 * 3], avg = new double[2 * 2 * 3], glob = new double[2];
        for (int c = 0; c < 2; c++)
            for (int oy = 0; oy < 2; oy++)
                for (int ox = 0; ox < 3; ox++) {
                    double m = Double.NEGATIVE_INFINITY, s = 0;
                    for (int ky = 0; ky < 2; ky++)
                        for (int kx = 0; kx < 2; kx++) {
                            double v = xv[(c * 4 + oy * 2 + ky) * 6 + ox * 2 + kx];
                            m = Math.max(m, v);
                            s += v;
                        }
                    max[(c * 2 + oy) * 3 + ox] = m;
                    avg[(c * 2 + oy) * 3 + ox] = s / 4;
                    glob[c] += s / 24;
                }
        assertClose(max, new MaxPool2d(2).forward(x).toFloatArray(), "max pool");
        assertClose(avg, new AvgPool2d(Pool2dOptions.kernel(2)).forward(x).toFloatArray(), "avg pool");
        Tensor g = new AdaptiveAvgPool2d().forward(x);
        assertArrayEquals(new int[] {1, 2, 1, 1}, g.shape());
        assertClose(glob, g.toFloatArray(), "global avg pool");
    }

    @Test
    void activationsMatchReference() {
        float[] xv = {-3f, -1.5f, -0.2f, 0f, 0.3f, 1f, 2.5f, 3f};
        Tensor x = Tensor.fromArray(cpu, xv, 2, 4);
        check(new ReLU(), x, v -> Math.max(0, v));
        check(new LeakyReLU(0.1f), x, v -> v > 0 ? v : 0.1 * v);
        check(new Sigmoid(), x, v -> 1 / (1 + Math.exp(-v)));
        check(new Tanh(), x, Math::tanh);
        check(new GELU(), x, v -> v * 0.5 * (1 + Reference.erf(v / Math.sqrt(2))));
        assertArrayEquals(new int[] {2, 4}, new Flatten().forward(x).shape());
        assertArrayEquals(new int[] {8}, new Flatten(0).forward(x).shape());
    }

    private static void check(Module m, Tensor x, DoubleUnaryOperator f) {
        float[] xv = x.toFloatArray();
        double[] ref = new double[xv.length];
        for (int i = 0; i < xv.length; i++) ref[i] = f.applyAsDouble(xv[i]);
        Tensor y = m.forward(x);
        assertArrayEquals(x.shape(), y.shape());
        assertClose(ref, y.toFloatArray(), m.getClass().getSimpleName());
    }

    @Test
    void lossesMatchReference() {
        Tensor logits = randn(9, 3, 4);
        Tensor targets = Tensor.fromInts(cpu, new int[] {2, 0, 3}, 3);
        float[] z = logits.toFloatArray();
        int[] t = {2, 0, 3};
        double smoothing = 0.1, total = 0;
        for (int i = 0; i < 3; i++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < 4; k++) max = Math.max(max, z[i * 4 + k]);
            for (int k = 0; k < 4; k++) sum += Math.exp(z[i * 4 + k] - max);
            double lse = max + Math.log(sum), loss = 0;
            for (int k = 0; k < 4; k++) {
                double q = (k == t[i] ? 1 - smoothing : 0) + smoothing / 4;
                loss -= q * (z[i * 4 + k] - lse);
            }
            total += loss;
        }
        assertClose(new double[] {total / 3}, new float[] {new CrossEntropyLoss(Reduction.MEAN, 0.1f).apply(logits, targets).item()}, "cross entropy");

        Tensor a = randn(10, 2, 3), b = randn(11, 2, 3);
        float[] av = a.toFloatArray(), bv = b.toFloatArray();
        double se = 0;
        for (int i = 0; i < 6; i++) se += (av[i] - (double) bv[i]) * (av[i] - bv[i]);
        assertClose(new double[] {se / 6}, new float[] {new MSELoss().apply(a, b).item()}, "mse mean");
        assertClose(new double[] {se}, new float[] {new MSELoss(Reduction.SUM).apply(a, b).item()}, "mse sum");
    }

    @Test
    void seedCnnForwardSummaryAndErrorPath() {
        try (SeedNet net = new SeedNet(new Generator(0), cpu)) {
            assertArrayEquals(new int[] {2, 10}, net.forward(Tensor.full(cpu, 0.5f, 2, 1, 28, 28)).shape());
            String s = net.summary(1, 1, 28, 28);
            for (String part : new String[] {"features.0", "Conv2d", "[1, 32, 26, 26]", "features.2", "MaxPool2d", "[1, 32, 13, 13]",
                    "[1, 64, 3, 3]", "classifier.0", "Flatten", "[1, 576]", "classifier.3", "Linear", "[1, 10]", "Total params: 93,322",
                    "Trainable params: 93,322", String.format(java.util.Locale.ROOT, "%,d", 576 * 64 + 64)}) {
                assertTrue(s.contains(part), "summary lacks '" + part + "':\n" + s);
            }
            var e = assertThrows(ModuleException.class, () -> net.forward(Tensor.full(cpu, 0f, 1, 3, 28, 28)));
            assertTrue(e.getMessage().startsWith("features.0 (Conv2d): conv2d"), e.getMessage());

            net.replace("classifier.3", new Linear(64, 5, true, new Generator(1), cpu)).close();
            assertArrayEquals(new int[] {3, 5}, net.forward(Tensor.full(cpu, 0.5f, 3, 1, 28, 28)).shape());
        }
    }

    @Test
    void frozenParametersGetNoGradient() {
        try (SeedNet net = new SeedNet(new Generator(0), cpu)) {
            net.features.requiresGrad(false);
            Tensor x = randn(12, 2, 1, 28, 28);
            new CrossEntropyLoss().apply(net.forward(x), Tensor.fromInts(cpu, new int[] {1, 7}, 2)).backward();
            for (var e : net.namedParameters().entrySet()) {
                if (e.getKey().startsWith("features.")) assertNull(e.getValue().grad(), e.getKey());
                else assertNotNull(e.getValue().grad(), e.getKey());
            }
            java.util.Map<String, float[]> before = new java.util.HashMap<>();
            net.namedParameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
            try (var adam = new dev.kiln.optim.Adam(net.parameters(), 0.01)) {
                adam.step();
            }
            for (var e : net.namedParameters().entrySet()) {
                boolean same = java.util.Arrays.equals(before.get(e.getKey()), e.getValue().toFloatArray());
                assertEquals(e.getKey().startsWith("features."), same, e.getKey() + (same ? " unchanged" : " changed"));
            }
            net.requiresGrad(true);
            net.parameters().forEach(Tensor::zeroGrad);
            new CrossEntropyLoss().apply(net.forward(x), Tensor.fromInts(cpu, new int[] {1, 7}, 2)).backward();
            assertTrue(net.parameters().stream().allMatch(p -> p.grad() != null), "unfrozen parameters get gradients again");
        }
    }
}
