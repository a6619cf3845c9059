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
 * each being long); OpenBLAS {@code cblas_sgemm} (2 threads) for SGEMM. Issue 11 adds, with
 * {@code --only transformer,attention}: one transformer encoder layer's training step
 * ({@link TransformerBenchmark}, {@code --tf-batch 64 --tf-seq 128 --tf-steps 5}) and fused attention
 * forward + backward at {@code --attn-seq 1024,4096} (PyTorch's math path, which materialises
 * T x T), whose time ratio is PyTorch's time over Kiln's (above 1: Kiln faster, as for the
 * throughput ratios) and whose peak memory is recorded on both sides (Kiln: the CPU backend's
 * peak of live storage bytes beyond the inputs; PyTorch: the growth of its peak resident set).
 * Issue 12 adds, with {@code --only gpt}: the GPT training step ({@link GptBenchmark}, pretrain
 * defaults, {@code --gpt-batch 32 --gpt-steps 3 --gpt-warmup 1}, model options {@code --layers --width
 * --heads --context --vocab}) against {@code bench/peers/torch_gpt.py bench}, tokens/s.
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
                            () -> rnnPeer(o, cell, b, warmup, steps, threads));
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
            // ---- transformer layer and attention (issue 11) ----
            if (only.contains("transformer")) {
                int tfSteps = BenchMain.intOpt(o, "tf-steps", 5), tfWarmup = BenchMain.intOpt(o, "tf-warmup", 2);
                int seq = BenchMain.intOpt(o, "tf-seq", 128);
                for (int b : BenchMain.ints(o.getOrDefault("tf-batch", "64"))) {
                    if (jitWarmup > 0) TransformerBenchmark.run(cpu, b, seq, Math.max(1, jitWarmup / 10), 1, 1);
                    pair(all, ratios, repeats, () -> TransformerBenchmark.run(cpu, b, seq, tfWarmup, tfSteps, 1),
                            () -> transformerPeer(o, b, seq, tfWarmup, tfSteps, threads));
                }
            }
            if (only.contains("attention")) {
                int dim = BenchMain.intOpt(o, "attn-dim", 64);
                for (int t : BenchMain.ints(o.getOrDefault("attn-seq", "1024,4096"))) {
                    if (jitWarmup > 0) AttentionBench.run(cpu, t, 1, dim, false, Math.max(1, jitWarmup / 20), 1);
                    List<Sample> peaks = new ArrayList<>();
                    pair(all, ratios, repeats, () -> {
                        List<Sample> k = AttentionBench.run(cpu, t, 1, dim, false, 1, 1);
                        peaks.add(k.get(1));
                        return k.get(0);
                    }, () -> {
                        Sample[] p = attentionPeer(o, t, dim, threads);
                        peaks.add(p[1]);
                        return p[0];
                    });
                    for (String side : new String[] {"kiln", sequencePeer(o)}) {
                        List<Sample> mine = peaks.stream().filter(p -> p.framework().equals(side)).toList();
                        double[] v = mine.stream().mapToDouble(Sample::median).toArray();
                        all.add(new Sample("attention", side, "cpu", mine.get(0).config(), "MiB", v, mine.get(0).detail()));
                    }
                }
            }
            // ---- GPT training step (issue 12) ----
            if (only.contains("gpt")) {
                dev.kiln.nn.gpt.GptConfig c = GptBenchmark.config(o);
                int gptSteps = BenchMain.intOpt(o, "gpt-steps", 3), gptWarmup = BenchMain.intOpt(o, "gpt-warmup", 1);
                for (int b : BenchMain.ints(o.getOrDefault("gpt-batch", "32"))) {
                    if (jitWarmup > 0) GptBenchmark.train(cpu, c, b, Math.max(1, jitWarmup / 20), 1, 1);
                    pair(all, ratios, repeats, () -> GptBenchmark.train(cpu, c, b, gptWarmup, gptSteps, 1),
                            () -> gptPeer(o, c, b, gptWarmup, gptSteps, threads));
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

    /** Times (ms) are better low: their ratio is inverted so that above 1 always means Kiln is faster. */
    private static boolean lowerIsBetter(String unit) {
        return unit.startsWith("ms");
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
            ratio[i] = lowerIsBetter(ks.unit()) ? p[i] / k[i] : k[i] / p[i];
            System.out.printf(Locale.ROOT, "  %s %s: kiln %.1f, %s %.1f %s (ratio %.2f)%n", ks.bench(), ks.config(), k[i], ps.framework(), p[i], ks.unit(), ratio[i]);
        }
        all.add(new Sample(ks.bench(), "kiln", ks.backend(), ks.config(), ks.unit(), k, ks.detail()));
        all.add(new Sample(ps.bench(), ps.framework(), ps.backend(), ps.config(), ps.unit(), p, ps.detail()));
        String unit = lowerIsBetter(ks.unit()) ? ps.framework() + "/kiln time" : "kiln/" + ps.framework();
        Sample r = new Sample(ks.bench(), "ratio", "cpu", ks.config(), unit, ratio, "per-repeat ratios");
        all.add(r);
        ratios.add(new String[] {String.format(Locale.ROOT, "%-7s %-28s %-10s %8.2f %8.2f %8.2f", ks.bench(), ks.config(), ps.framework(), r.min(), r.median(), r.max())});
    }

    // ---- djl sequence peers (issue 13) ----
    /**
     * The peer of the sequence workloads (lstm, gru, transformer, attention, gpt) from {@code --peer}:
     * "pytorch" for {@code torch} (the default: Debian's PyTorch 1.13, {@code bench/peers/torch_*.py}),
     * "djl" for {@code djl} (libtorch 2.7.1 through DJL 0.35.1, {@code bench/peers/djl}); the name is
     * the peer samples' framework.
     */
    static String sequencePeer(Map<String, String> o) {
        String peer = o.getOrDefault("peer", "torch");
        return switch (peer) {
            case "torch" -> "pytorch";
            case "djl" -> "djl";
            default -> throw new IllegalArgumentException("bench compare: --peer must be torch or djl, found '" + peer + "'");
        };
    }

    private static boolean djl(Map<String, String> o) {
        return sequencePeer(o).equals("djl");
    }

    /** One timed block of the seq-MNIST recurrent step on the chosen peer. */
    private static Sample rnnPeer(Map<String, String> o, String cell, int batch, int warmup, int steps, int threads) throws IOException {
        return djl(o) ? Peers.djlRnn(cell, batch, warmup, steps, 1, threads) : Peers.torchRnn(cell, batch, warmup, steps, 1, threads);
    }

    /** One timed block of the transformer-layer step on the chosen peer. */
    private static Sample transformerPeer(Map<String, String> o, int batch, int seq, int warmup, int steps, int threads) throws IOException {
        return djl(o) ? Peers.djlTransformer(batch, seq, warmup, steps, 1, threads) : Peers.torchTransformer(batch, seq, warmup, steps, 1, threads);
    }

    /** One timed attention step (after one warm-up step) on the chosen peer: time and peak samples. */
    private static Sample[] attentionPeer(Map<String, String> o, int t, int dim, int threads) throws IOException {
        return djl(o) ? Peers.djlAttention(t, dim, 1, 1, threads) : Peers.torchAttention(t, dim, 1, 1, threads);
    }

    /** One timed block of the GPT training step on the chosen peer. */
    private static Sample gptPeer(Map<String, String> o, dev.kiln.nn.gpt.GptConfig c, int batch, int warmup, int steps, int threads) throws IOException {
        return djl(o) ? Peers.djlGpt(c, batch, warmup, steps, 1, threads) : Peers.torchGpt(c, batch, warmup, steps, 1, threads);
    }
}
