package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.cpu.CpuBackend;
import dev.kiln.ops.AttentionOptions;
import dev.kiln.ops.Functional;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.List;

/**
 * Fused scaled dot-product attention, forward + backward ({@code out.sum().backward()}), at batch 1,
 * {@code heads} heads, head size {@code dim}, sequence length T for queries and keys: milliseconds
 * per step and, on the CPU backend, the peak of live storage bytes beyond the inputs (MiB) — against
 * the 4 T^2 bytes of one materialised score matrix.
 */
final class AttentionBench {
    private AttentionBench() {}

    static List<Sample> run(Backend backend, int t, int heads, int dim, boolean causal, int warmup, int repeats) {
        String config = "T " + t + " H " + heads + " E " + dim + (causal ? " causal" : "");
        double[] ms = new double[repeats];
        long peak = 0;
        try (var scope = Kiln.scope()) {
            Generator g = new Generator(t);
            Tensor q = Tensor.randn(g, 1, heads, t, dim).to(backend).requiresGrad(true);
            Tensor k = Tensor.randn(g, 1, heads, t, dim).to(backend).requiresGrad(true);
            Tensor v = Tensor.randn(g, 1, heads, t, dim).to(backend).requiresGrad(true);
            AttentionOptions o = AttentionOptions.defaults().causal(causal);
            for (int i = 0; i < warmup + repeats; i++) {
                backend.synchronize();
                long base = backend.bytesInUse();
                if (backend instanceof CpuBackend cpu) cpu.resetPeakBytesInUse();
                long start = System.nanoTime();
                try (var step = Kiln.scope()) {
                    Functional.scaledDotProductAttention(q, k, v, o).sum().backward();
                    backend.synchronize();
                }
                if (i >= warmup) ms[i - warmup] = (System.nanoTime() - start) / 1e6;
                if (backend instanceof CpuBackend cpu) peak = Math.max(peak, cpu.peakBytesInUse() - base);
                for (Tensor x : new Tensor[] {q, k, v}) x.zeroGrad();
            }
        }
        Sample time = new Sample("attention", "kiln", backend.name(), config, "ms fwd+bwd", ms, backend.description());
        if (!(backend instanceof CpuBackend)) return List.of(time);
        double mib = peak / (double) (1 << 20), matrix = 4.0 * t * t * heads / (1 << 20);
        return List.of(time, new Sample("attention", "kiln", backend.name(), config + " peak", "MiB", new double[] {mib},
                String.format(java.util.Locale.ROOT, "one T x T score matrix: %.0f MiB", matrix)));
    }
}
