package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./kiln bench compare}: Kiln's CPU backend side by side with its peers on the same cores,
 * alternating (Kiln, peer, Kiln, peer, ...) so that load from other processes hits both alike.
 * Before a config's repeats, Kiln runs {@code --jit-warmup} untimed steps (default 100) once, so
 * the timed blocks measure compiled code, as the peers' do. Each repeat is one timed block per
 * side; the ratio Kiln / peer is taken per repeat and reported
 * as min / median / max. Peers: PyTorch CPU (Debian python3-torch, 2 threads) for the training
 * step, inference and the seq-MNIST LSTM (and, with {@code --only gru}, GRU) training step at
 * {@code --rnn-batch} (default 64; Kiln's JIT warm-up there is half of {@code --jit-warmup} steps,
 * each being long); OpenBLAS {@code cblas_sgemm} (2 threads) for SGEMM.
 */
final class Compare {
    private Compare() {}

    static List<Sample> run(Map<String, String> o) {
        Backend cpu = Kiln.backend("cpu");
        int repeats = BenchMain.intOpt(o, "repeats", 5), threads = BenchMain.intOpt(o, "threads", 2);
        int steps = BenchMain.intOpt(o, "steps", 20), warmup = BenchMain.intOpt(o, "warmup", 5);
        // Once per config, untimed: lets C2 compile Kiln's kernels (the peers' native code needs no such step).
        int jitWarmup = BenchMain.intOpt(o, "jit-warmup", 100);
        Set<String> only = Set.of(o.getOrDefault("only", "train,infer,gemm,lstm").split(","));
        List<Sample> all = new ArrayList<>();
        List<String[]> ratios = new ArrayList<>();
        try {
            if (only.contains("train")) {
                for (int b : BenchMain.ints(o.getOrDefault("batch", "64,128"))) {
                    if (jitWarmup > 0) TrainBenchmark.run(cpu, b, jitWarmup, 1, 1);
                    pair(all, ratios, repeats, () -> TrainBenchmark.run(cpu, b, warmup, steps, 1),
                            () -> Peers.torch("train", b, warmup, steps, 1, threads));
                }
            }
            if (only.contains("infer")) {
                for (int b : BenchMain.ints(o.getOrDefault("infer-batch", "256"))) {
                    if (jitWarmup > 0) InferBenchmark.run(cpu, b, jitWarmup, 1, 1);
                    pair(all, ratios, repeats, () -> InferBenchmark.run(cpu, b, warmup, steps, 1),
                            () -> Peers.torch("infer", b, warmup, steps, 1, threads));
                }
            }
            for (String cell : new String[] {"lstm", "gru"}) {
                if (!only.contains(cell)) continue;
                for (int b : BenchMain.ints(o.getOrDefault("rnn-batch", "64"))) {
                    if (jitWarmup > 0) LstmBenchmark.run(cpu, cell, b, Math.max(1, jitWarmup / 2), 1, 1);
                    pair(all, ratios, repeats, () -> LstmBenchmark.run(cpu, cell, b, warmup, steps, 1),
                            () -> Peers.torchRnn(cell, b, warmup, steps, 1, threads));
                }
            }
            if (only.contains("gemm")) {
                for (int n : BenchMain.ints(o.getOrDefault("gemm", "1024"))) {
                    pair(all, ratios, repeats, () -> {
                        GemmBench.Result r = GemmBench.backend(cpu, n, n, n, 1.0);
                        return new Sample("gemm", "kiln", "cpu", n + "x" + n + "x" + n, "GFLOP/s", new double[] {r.gflops()}, cpu.description());
                    }, () -> Peers.openblas(n, 1.0));
                }
            }
        } catch (IOException e) {
            BenchMain.failPeer(e);
        }
        System.out.println();
        BenchMain.printSamples(all);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-7s %-28s %-10s %8s %8s %8s   (%s repeats, alternating; %s)%n",
                "bench", "config", "vs", "min", "median", "max", repeats, cpu.description());
        for (String[] r : ratios) System.out.println(r[0]);
        return all;
    }

    /** A side of the comparison: one timed block. */
    private interface Side {
        Sample once() throws IOException;
    }

    /** Runs Kiln and the peer alternately {@code repeats} times; records both series and the ratio row. */
    private static void pair(List<Sample> all, List<String[]> ratios, int repeats, Side kiln, Side peer) throws IOException {
        double[] k = new double[repeats], p = new double[repeats], ratio = new double[repeats];
        Sample ks = null, ps = null;
        for (int i = 0; i < repeats; i++) {
            ks = kiln.once();
            ps = peer.once();
            k[i] = ks.median();
            p[i] = ps.median();
            ratio[i] = k[i] / p[i];
            System.out.printf(Locale.ROOT, "  %s %s: kiln %.1f, %s %.1f %s (ratio %.2f)%n", ks.bench(), ks.config(), k[i], ps.framework(), p[i], ks.unit(), ratio[i]);
        }
        all.add(new Sample(ks.bench(), "kiln", ks.backend(), ks.config(), ks.unit(), k, ks.detail()));
        all.add(new Sample(ps.bench(), ps.framework(), ps.backend(), ps.config(), ps.unit(), p, ps.detail()));
        Sample r = new Sample(ks.bench(), "ratio", "cpu", ks.config(), "kiln/" + ps.framework(), ratio, "per-repeat ratios");
        all.add(r);
        ratios.add(new String[] {String.format(Locale.ROOT, "%-7s %-28s %-10s %8.2f %8.2f %8.2f", ks.bench(), ks.config(), ps.framework(), r.min(), r.median(), r.max())});
    }
}
