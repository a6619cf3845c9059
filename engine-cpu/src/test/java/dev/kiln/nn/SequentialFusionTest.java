package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.Kiln;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Padding;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Scope;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link Sequential} runs Conv2d followed by ReLU as one fused op, and Conv2d, ReLU, MaxPool2d as
 * another (the first three layers here): outputs and every gradient must be bit-identical to running
 * the layers one after the other.
 */
class SequentialFusionTest {
    private final Backend cpu = Kiln.backend("cpu");

    private Sequential net(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(
                new Conv2d(2, 4, 3, 3, Conv2dOptions.defaults().padding(Padding.same()), true, g, cpu), new ReLU(),
                new MaxPool2d(2),
                new Conv2d(4, 3, 3, 3, Conv2dOptions.defaults(), false, g, cpu), new ReLU(),
                new Flatten());
    }

    private static float[] values(long seed, int n) {
        float[] v = new float[n];
        new Generator(seed).fillNormal(v, 0f, 1f);
        return v;
    }

    @Test
    void fusedConvReluMatchesTheLayersRunOneByOne() {
        try (Scope s = Kiln.scope(); Sequential fused = net(7); Sequential plain = net(7)) {
            Tensor x1 = Tensor.fromArray(cpu, values(3, 3 * 2 * 8 * 8), 3, 2, 8, 8).requiresGrad(true);
            Tensor x2 = Tensor.fromArray(cpu, values(3, 3 * 2 * 8 * 8), 3, 2, 8, 8).requiresGrad(true);
            Tensor y1 = fused.forward(x1);
            Tensor y2 = x2;
            for (int i = 0; i < plain.size(); i++) y2 = plain.get(i).forward(y2);
            assertArrayEquals(y2.shape(), y1.shape());
            assertArrayEquals(y2.toFloatArray(), y1.toFloatArray());

            float[] proj = values(11, (int) y1.numel());
            y1.mul(Tensor.fromArray(cpu, proj, y1.shape())).sum().backward();
            y2.mul(Tensor.fromArray(cpu, proj, y2.shape())).sum().backward();
            assertArrayEquals(x2.grad().toFloatArray(), x1.grad().toFloatArray(), "input gradient");
            var p1 = fused.namedParameters();
            var p2 = plain.namedParameters();
            assertEquals(p2.keySet(), p1.keySet());
            for (String name : p1.keySet()) {
                assertArrayEquals(p2.get(name).grad().toFloatArray(), p1.get(name).grad().toFloatArray(), name);
            }
        }
    }
}
