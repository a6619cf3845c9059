package dev.kiln.ops;

import dev.kiln.Kiln;
import dev.kiln.cpu.CpuBackend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.Compare;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The CPU attention kernel gives the same bits on 1, 2, 3 and 5 threads, forward and backward, with
 * a mask, dropout and several query and key tiles per problem: each output and gradient element is
 * summed by one task in an order fixed by the shapes alone.
 */
class AttentionDeterminismTest {
    private static float[] run(CpuBackend cpu, boolean causal) {
        try (var s = Kiln.scope()) {
            Generator g = new Generator(99);
            Tensor q = Tensor.randn(g, 2, 3, 150, 24).to(cpu).requiresGrad(true);
            Tensor k = Tensor.randn(g, 2, 3, 140, 24).to(cpu).requiresGrad(true);
            Tensor v = Tensor.randn(g, 2, 3, 140, 16).to(cpu).requiresGrad(true);
            AttentionOptions o = AttentionOptions.defaults().dropoutP(0.1f).generator(new Generator(7));
            o = causal ? o.causal(true) : o.attnMask(Tensor.randn(g, 3, 150, 140).to(cpu));
            Tensor out = Functional.scaledDotProductAttention(q, k, v, o);
            out.mul(Tensor.randn(g, out.shape()).to(cpu)).sum().backward();
            float[][] parts = {out.toFloatArray(), q.grad().toFloatArray(), k.grad().toFloatArray(), v.grad().toFloatArray()};
            return Arrays.stream(parts).reduce(new float[0], (a, b) -> {
                float[] c = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, c, a.length, b.length);
                return c;
            });
        }
    }

    @Test
    void bitIdenticalForAnyThreadCount() {
        for (boolean causal : new boolean[] {false, true}) {
            float[] reference;
            try (CpuBackend one = new CpuBackend(1)) {
                reference = run(one, causal);
            }
            for (int threads : new int[] {2, 3, 5}) {
                try (CpuBackend b = new CpuBackend(threads)) {
                    Compare.assertBitIdentical("attention " + (causal ? "causal" : "masked") + ", " + threads + " threads vs 1",
                            reference, run(b, causal));
                }
            }
        }
    }
}
