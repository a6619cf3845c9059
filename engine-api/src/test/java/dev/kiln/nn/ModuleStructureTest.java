package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ops.Conv2dOptions;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Module structure on a storage-only backend: names, counts, initialisation, modes, freezing, surgery, moves, lifetime. */
class ModuleStructureTest {
    private final Backend host = HostOnlyBackend.create("host", new Device("host", 0));

    @Test
    void seedCnnHasPyTorchNamesAndTheSeedParameterCount() {
        try (SeedNet net = new SeedNet(new Generator(1), host)) {
            Map<String, Tensor> p = net.namedParameters();
            assertEquals(List.of("features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                    "features.6.weight", "features.6.bias", "classifier.1.weight", "classifier.1.bias",
                    "classifier.3.weight", "classifier.3.bias"), List.copyOf(p.keySet()));
            assertArrayEquals(new int[] {64, 32, 3, 3}, p.get("features.3.weight").shape());
            assertArrayEquals(new int[] {64, 576}, p.get("classifier.1.weight").shape());
            long expected = (32 * 9 + 32) + (64 * 32 * 9 + 64) + (64 * 64 * 9 + 64) + (576 * 64 + 64) + (64 * 10 + 10);
            assertEquals(93_322, expected);
            assertEquals(expected, net.parameters().stream().mapToLong(Tensor::numel).sum());
            assertTrue(net.namedBuffers().isEmpty());
            assertTrue(p.values().stream().allMatch(Tensor::requiresGrad));
        }
    }

    @Test
    void initialisationStaysWithinOneOverSqrtFanInAndFillsTheRange() {
        try (SeedNet net = new SeedNet(new Generator(2), host)) {
            Map<String, Integer> fanIn = Map.of("features.0", 9, "features.3", 32 * 9, "features.6", 64 * 9,
                    "classifier.1", 576, "classifier.3", 64);
            for (var e : net.namedParameters().entrySet()) {
                String layer = e.getKey().substring(0, e.getKey().lastIndexOf('.'));
                double bound = 1 / Math.sqrt(fanIn.get(layer));
                float[] v = e.getValue().toFloatArray();
                double max = 0, sum = 0;
                for (float x : v) {
                    assertTrue(Math.abs(x) <= bound, e.getKey() + ": " + x + " outside +-" + bound);
                    max = Math.max(max, Math.abs(x));
                    sum += x;
                }
                if (v.length >= 64) {
                    assertTrue(max > 0.9 * bound, e.getKey() + ": max |w| " + max + " far below the bound " + bound);
                    assertTrue(Math.abs(sum / v.length) < 0.25 * bound, e.getKey() + ": mean " + sum / v.length);
                }
            }
        }
    }

    @Test
    void weightThenBiasAreDrawnFromTheGivenGenerator() {
        try (Linear l = new Linear(3, 2, true, new Generator(5), host)) {
            Generator g = new Generator(5);
            float b = (float) (1 / Math.sqrt(3));
            float[] w = new float[6], bias = new float[2];
            g.fillUniform(w, -b, b);
            g.fillUniform(bias, -b, b);
            assertArrayEquals(w, l.weight().toFloatArray());
            assertArrayEquals(bias, l.bias().toFloatArray());
        }
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        try (SeedNet a = new SeedNet(new Generator(9), host); SeedNet b = new SeedNet(new Generator(9), host);
             SeedNet c = new SeedNet(new Generator(10), host)) {
            for (String k : a.namedParameters().keySet()) {
                assertArrayEquals(a.namedParameters().get(k).toFloatArray(), b.namedParameters().get(k).toFloatArray(), k);
            }
            assertFalse(Arrays.equals(a.namedParameters().get("features.0.weight").toFloatArray(),
                    c.namedParameters().get("features.0.weight").toFloatArray()));
        }
    }

    @Test
    void conv2dWithoutBiasAndWithGroups() {
        try (Conv2d c = new Conv2d(4, 6, 3, 1, Conv2dOptions.defaults().groups(2), false, new Generator(0), host)) {
            assertEquals(List.of("weight"), List.copyOf(c.namedParameters().keySet()));
            assertArrayEquals(new int[] {6, 2, 3, 1}, c.weight().shape());
            double bound = 1 / Math.sqrt(2 * 3);
            for (float x : c.weight().toFloatArray()) assertTrue(Math.abs(x) <= bound);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, 3, Conv2dOptions.defaults().groups(2), true, new Generator(0), host));
        assertTrue(e.getMessage().contains("groups 2 must divide"), e.getMessage());
    }

    @Test
    void batchNormRegistersPyTorchDefaults() {
        try (BatchNorm2d bn = new BatchNorm2d(3, 1e-5f, 0.1f, host)) {
            assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
            assertEquals(List.of("running_mean", "running_var"), List.copyOf(bn.namedBuffers().keySet()));
            assertArrayEquals(new float[] {1, 1, 1}, bn.namedParameters().get("weight").toFloatArray());
            assertArrayEquals(new float[] {0, 0, 0}, bn.namedParameters().get("bias").toFloatArray());
            assertArrayEquals(new float[] {0, 0, 0}, bn.namedBuffers().get("running_mean").toFloatArray());
            assertArrayEquals(new float[] {1, 1, 1}, bn.namedBuffers().get("running_var").toFloatArray());
            assertFalse(bn.namedBuffers().get("running_var").requiresGrad());
        }
        try (Sequential s = new Sequential(new Flatten(), new BatchNorm2d(2, 1e-5f, 0.1f, host))) {
            assertEquals(List.of("1.running_mean", "1.running_var"), List.copyOf(s.namedBuffers().keySet()));
            assertEquals(List.of("1.weight", "1.bias", "1.running_mean", "1.running_var"), List.copyOf(s.stateDict().keySet()));
            assertSame(s.namedBuffers().get("1.running_var"), s.stateDict().get("1.running_var"));
        }
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        try (SeedNet net = new SeedNet(new Generator(0), host)) {
            assertTrue(net.isTraining());
            net.eval();
            assertTrue(net.namedModules().values().stream().noneMatch(Module::isTraining));
            net.train();
            assertTrue(net.namedModules().values().stream().allMatch(Module::isTraining));
            assertEquals(List.of("", "features", "features.0", "features.1"), List.copyOf(net.namedModules().keySet()).subList(0, 4));
        }
    }

    @Test
    void freezingASubModuleLeavesTheRestTrainable() {
        try (SeedNet net = new SeedNet(new Generator(0), host)) {
            net.features.requiresGrad(false);
            for (var e : net.namedParameters().entrySet()) {
                assertEquals(e.getKey().startsWith("classifier."), e.getValue().requiresGrad(), e.getKey());
            }
            net.requiresGrad(true);
            assertTrue(net.parameters().stream().allMatch(Tensor::requiresGrad));
        }
    }

    @Test
    void replaceSwapsTheHeadInPlaceAndReturnsTheOldOne() {
        try (SeedNet net = new SeedNet(new Generator(0), host)) {
            Module oldHead = net.get("classifier.3");
            Linear head = new Linear(64, 5, true, new Generator(1), host);
            Module returned = net.replace("classifier.3", head);
            assertSame(oldHead, returned);
            returned.close();
            assertSame(head, net.get("classifier.3"));
            assertSame(head, net.classifier.get(3));
            assertArrayEquals(new int[] {5, 64}, net.namedParameters().get("classifier.3.weight").shape());
            assertEquals("classifier.3.bias", List.copyOf(net.namedParameters().keySet()).getLast());
            var e = assertThrows(IllegalArgumentException.class, () -> net.replace("classifier.9", new ReLU()));
            assertTrue(e.getMessage().contains("classifier.9"), e.getMessage());
        }
    }

    @Test
    void errorsCarryThePathAndTypeOfTheFailingLayer() {
        try (Holder root = new Holder(new Sequential(new Flatten(), new Flatten(7)));
             Tensor x = Tensor.full(host, 0f, 2, 3)) {
            var e = assertThrows(ModuleException.class, () -> root.forward(x));
            assertTrue(e.getMessage().startsWith("body.1 (Flatten): flatten: dimension 7 out of range"), e.getMessage());
            assertEquals("body.1", e.path());
            assertEquals("Flatten", e.moduleType());
            assertTrue(e.getCause() instanceof IllegalArgumentException);
        }
    }

    @Test
    void summaryListsLayersShapesAndCounts() {
        try (Holder root = new Holder(new Sequential(new WithParam(host, 5), new Flatten()))) {
            root.requiresGrad(false);
            ((WithParam) root.get("body.0")).requiresGrad(true);
            root.get("body.1").eval();
            String s = root.summary(2, 3, 4);
            assertTrue(root.isTraining() && root.get("body.0").isTraining() && !root.get("body.1").isTraining(), "modes restored");
            assertTrue(s.contains("body.0"), s);
            assertTrue(s.contains("WithParam"), s);
            assertTrue(s.contains("body.1"), s);
            assertTrue(s.contains("[2, 12]"), s);
            assertTrue(s.contains("Total params: 5"), s);
            assertTrue(s.contains("Trainable params: 5"), s);
        }
    }

    @Test
    void toMovesEveryTensorAndCloseFreesThem() {
        Backend other = HostOnlyBackend.create("other", new Device("other", 0));
        SeedNet net = new SeedNet(new Generator(3), host);
        Map<String, float[]> before = new java.util.LinkedHashMap<>();
        net.namedParameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
        assertNotEquals(0, host.bytesInUse());
        net.features.requiresGrad(false);
        net.to(other);
        assertEquals(0, host.bytesInUse());
        for (var e : net.namedParameters().entrySet()) {
            assertSame(other, e.getValue().backend());
            assertArrayEquals(before.get(e.getKey()), e.getValue().toFloatArray());
            assertEquals(e.getKey().startsWith("classifier."), e.getValue().requiresGrad(), e.getKey());
        }
        net.close();
        assertEquals(0, other.bytesInUse());
        assertTrue(net.parameters().stream().allMatch(Tensor::isClosed));
    }

    @Test
    void layerArgumentsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f, new Generator(0)));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1f, new Generator(0)));
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3, true, new Generator(0), host));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(0, 1e-5f, 0.1f, host));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(dev.kiln.ops.Reduction.MEAN, 1.5f));
    }

    /** A root with one child called {@code body}. */
    static final class Holder extends Module {
        final Module body;

        Holder(Module body) {
            this.body = registerModule("body", body);
        }

        @Override
        public Tensor forward(Tensor x) {
            return call(body, x);
        }
    }

    /** A layer with one parameter that passes its input through (needs no compute). */
    static final class WithParam extends Module {
        WithParam(Backend b, int n) {
            registerParameter("w", Init.constantParameter(b, 0f, n));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }
}
