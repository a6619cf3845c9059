package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.cpu.CpuThreadPool;
import dev.kiln.spi.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./kiln bench COMMAND [options]}: Kiln's benchmark harness. Prints a table; {@code --out
 * FILE} also writes one JSON object per line.
 *
 * <pre>
 * train    [--backend cpu|cuda] [--batch 64,128] [--steps N] [--warmup N] [--repeats N]   seed-CNN training step, images/s
 * infer    [--backend ...] [--batch 256] [--steps N] [--warmup N] [--repeats N]            seed-CNN forward pass, images/s
 * gemm     [--backend ...] [--sizes 256,512,1024,2048] [--seconds S]                        SGEMM square and seed-CNN shapes, GFLOP/s
 * lstm     [--backend ...] [--cell lstm|gru] [--batch 64] [--steps N] [--warmup N] [--repeats N]   seq-MNIST LSTM/GRU (hidden 128) training step, sequences/s
 * profile  [--backend ...] [--batch 64]                                                    per-layer primitive times of one training step
 * lstm-profile [--backend ...] [--batch 64] [--calls 2000]                                 per-step primitive times of the seq-MNIST LSTM scan, us
 * tiles    [--threads 1] [--sizes 512,1024]                                               every CPU micro-kernel tile shape, GFLOP/s
 * compare  [--repeats 5] [--batch 64,128] [--infer-batch 256] [--gemm 1024] [--rnn-batch 64] [--only train,infer,gemm,lstm,gru] [--jit-warmup 100]
 *          [--tf-batch 64] [--tf-seq 128] [--tf-steps 5] [--attn-seq 1024,4096]   (with --only transformer,attention)
 *          Kiln CPU against PyTorch CPU (2 threads) and OpenBLAS, alternating; ratio min/median/max
 * transformer [--backend ...] [--batch 64] [--seq 128] [--steps N] [--warmup N] [--repeats N]  one encoder layer's training step, sequences/s
 * jmh      [JMH options, e.g. a benchmark regex]                                           the JMH benchmarks in dev.kiln.bench.jmh
 * attention [--backend ...] [--seq 1024,4096] [--heads 1] [--dim 64] [--causal false] [--warmup 1] [--repeats 5]
 *          fused attention forward + backward, ms per step and (CPU) peak MiB beyond the inputs
 * gpt      [--backend ...] [--layers 4] [--width 128] [--heads 4] [--context 128] [--vocab 2048] [--batch 32] [--steps N] [--warmup N] [--repeats N]
 *          GPT training step (AdamW, clipping), tokens/s; compare --only gpt [--gpt-batch 32] [--gpt-steps 3] against PyTorch
 * gpt-generate [--backend ...] [same model options] [--prompt 16] [--repeats N]   generation tokens/s with and without the KV cache
 * cold     train|infer [--backend ...] [--batch 64] [--steps 160] [--init-out F]          seed-CNN steps from a fresh JVM's first one: per-step timeline JSON
 * compare --peer djl [--protocol cold|warm] [--rounds 5] [--steps 160] [--warm-from 100] [--batch 64,128] [--infer-batch 256] [--threads 2]
 *          seed CNN against libtorch 2.7.1 through DJL, fresh JVMs alternating (cold) or Kiln warmed in-process (warm)
 * aot-workload [--rounds 2]   the short run of every hot path that ./kiln aot records the JDK's AOT cache from (docs/warmup.md)
 * </pre>
 */
public final class BenchMain {
    private static final String USAGE = "usage: ./kiln bench train|infer|lstm|lstm-profile|attention|transformer|gemm|profile|tiles|compare|jmh|gpt|gpt-generate|cold [options] (see bench/README.md)";

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) fail(USAGE);
        String cmd = args[0];
        if (cmd.equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (cmd.equals("cold")) { // issue 13: its mode is positional
            cold(args);
            return;
        }
        Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length));
        Path out = null;
        if (o.containsKey("out")) {
            try {
                out = outputFile(o.get("out")); // checked before minutes of measuring, not after
            } catch (IOException e) {
                fail("bench: cannot write --out " + o.get("out") + ": " + e.getMessage());
            }
        }
        List<Sample> samples = new ArrayList<>();
        switch (cmd) {
            case "train", "infer" -> {
                Backend backend = backend(o);
                boolean gpu = !backend.name().equals("cpu");
                int steps = intOpt(o, "steps", gpu ? 200 : 20), warmup = intOpt(o, "warmup", gpu ? 50 : 5), repeats = intOpt(o, "repeats", 5);
                for (int b : ints(o.getOrDefault("batch", cmd.equals("train") ? "64,128" : "256"))) {
                    samples.add(cmd.equals("train") ? TrainBenchmark.run(backend, b, warmup, steps, repeats) : InferBenchmark.run(backend, b, warmup, steps, repeats));
                }
                printSamples(samples);
            }
            case "gemm" -> {
                Backend backend = backend(o);
                double seconds = Double.parseDouble(o.getOrDefault("seconds", "1"));
                for (int n : ints(o.getOrDefault("sizes", "256,512,1024,2048"))) samples.add(gemm(backend, n, n, n, seconds, n + "x" + n + "x" + n));
                // The seed CNN's convolutions as the GEMMs they become at batch 64 (m x n x k = out channels x pixels x taps).
                samples.add(gemm(backend, 32, 43264, 9, seconds, "conv1 32x43264x9"));
                samples.add(gemm(backend, 64, 7744, 288, seconds, "conv2 64x7744x288"));
                samples.add(gemm(backend, 64, 576, 576, seconds, "conv3 64x576x576"));
                samples.add(gemm(backend, 64, 64, 576, seconds, "dense1 64x64x576"));
                // Attention's Q K^T, [64, 4, 128, 64] @ [64, 4, 64, 128]: 256 products of 128x128x64 (issue 11).
                double[] att = new double[3];
                for (int i = 0; i < att.length; i++) {
                    att[i] = GemmBench.batchedGflops(GemmBench.batched(backend, 256, 128, 128, 64, seconds / att.length), 256);
                }
                samples.add(new Sample("gemm", "kiln", backend.name(), "batched 256x(128x128x64)", "GFLOP/s", att, backend.description()));
                printSamples(samples);
            }
            case "lstm" -> {
                Backend backend = backend(o);
                int steps = intOpt(o, "steps", 20), warmup = intOpt(o, "warmup", 5), repeats = intOpt(o, "repeats", 5);
                String cell = o.getOrDefault("cell", "lstm");
                for (int b : ints(o.getOrDefault("batch", "64"))) samples.add(LstmBenchmark.run(backend, cell, b, warmup, steps, repeats));
                printSamples(samples);
            }
            case "profile" -> {
                int batch = intOpt(o, "batch", 64);
                LayerProfile.print(LayerProfile.run(backend(o), batch, Double.parseDouble(o.getOrDefault("seconds", "1"))), batch, System.out);
            }
            case "tiles" -> {
                try (CpuThreadPool pool = new CpuThreadPool(intOpt(o, "threads", 1))) {
                    for (var k : GemmBench.kernels()) {
                        for (int n : ints(o.getOrDefault("sizes", "512,1024"))) {
                            GemmBench.Result r = GemmBench.kernel(pool, k, n, n, n, 2.0);
                            samples.add(new Sample("gemm-tile", "kiln", "cpu", k.name() + " " + n + "^3", "GFLOP/s", new double[] {r.gflops()},
                                    pool.threads() + " threads"));
                        }
                    }
                }
                printSamples(samples);
            }
            case "lstm-profile" -> LstmProfile.run(backend(o), intOpt(o, "batch", 64), intOpt(o, "calls", 2000), System.out);
            case "compare" -> samples.addAll(compare(o));
            case "transformer" -> {
                Backend backend = backend(o);
                samples.add(TransformerBenchmark.run(backend, intOpt(o, "batch", 64), intOpt(o, "seq", 128), intOpt(o, "warmup", 3),
                        intOpt(o, "steps", 5), intOpt(o, "repeats", 5)));
                printSamples(samples);
            }
            case "attention" -> {
                Backend backend = backend(o);
                for (int t : ints(o.getOrDefault("seq", "1024,4096"))) {
                    samples.addAll(AttentionBench.run(backend, t, intOpt(o, "heads", 1), intOpt(o, "dim", 64),
                            Boolean.parseBoolean(o.getOrDefault("causal", "false")), intOpt(o, "warmup", 1), intOpt(o, "repeats", 5)));
                }
                printSamples(samples);
            }
            // ---- GPT (issue 12) ----
            case "gpt" -> {
                Backend backend = backend(o);
                samples.add(GptBenchmark.train(backend, GptBenchmark.config(o), intOpt(o, "batch", 32), intOpt(o, "warmup", 2),
                        intOpt(o, "steps", 5), intOpt(o, "repeats", 3)));
                printSamples(samples);
            }
            case "gpt-generate" -> {
                Backend backend = backend(o);
                for (boolean cache : new boolean[] {true, false}) {
                    samples.add(GptBenchmark.generate(backend, GptBenchmark.config(o), intOpt(o, "prompt", 16), cache, intOpt(o, "warmup", 3),
                            intOpt(o, "repeats", 5)));
                }
                printSamples(samples);
            }
            // ---- warm-up (issue 13) ----
            case "aot-workload" -> {
                samples.addAll(AotWorkload.run(backend(o), intOpt(o, "rounds", 2)));
                printSamples(samples);
            }
            default -> fail("unknown command '" + cmd + "'; " + USAGE);
        }
        if (out != null) {
            Files.write(out, samples.stream().map(Sample::toJson).toList());
            System.out.println("wrote " + samples.size() + " results to " + o.get("out"));
        }
    }

    private static Sample gemm(Backend backend, int m, int n, int k, double seconds, String config) {
        double[] v = new double[3];
        for (int i = 0; i < v.length; i++) v[i] = GemmBench.backend(backend, m, n, k, seconds / v.length).gflops();
        return new Sample("gemm", "kiln", backend.name(), config, "GFLOP/s", v, backend.description());
    }

    /** The table: one row per sample with median, min and max over its repeats. */
    static void printSamples(List<Sample> samples) {
        System.out.printf(Locale.ROOT, "%-7s %-9s %-6s %-28s %10s %10s %10s  %s%n", "bench", "framework", "backend", "config", "median", "min", "max", "unit");
        for (Sample s : samples) {
            String f = s.framework().equals("ratio") ? "%10.2f" : "%10.1f"; // ratios need two decimals
            System.out.printf(Locale.ROOT, "%-7s %-9s %-6s %-28s " + f + " " + f + " " + f + "  %s%n",
                    s.bench(), s.framework(), s.backend(), s.config(), s.median(), s.min(), s.max(), s.unit());
        }
    }

    private static Backend backend(Map<String, String> o) {
        return o.containsKey("backend") ? Kiln.backend(o.get("backend")) : Kiln.backend();
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) fail("bench: expected '--option value', got '" + args[i] + "'; " + USAGE);
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }

    static int intOpt(Map<String, String> o, String name, int def) {
        return o.containsKey(name) ? Integer.parseInt(o.get(name)) : def;
    }

    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    /**
     * The {@code --out} file, its folder created if missing, refused up front if it names a folder or
     * cannot be written (so a long comparison does not end in an error with its results lost).
     *
     * @throws IOException naming what is wrong
     */
    static Path outputFile(String name) throws IOException {
        Path path = Path.of(name).toAbsolutePath();
        if (Files.isDirectory(path)) throw new IOException("it is a folder");
        Files.createDirectories(path.getParent());
        if (!Files.isWritable(path.getParent()) || (Files.exists(path) && !Files.isWritable(path))) throw new IOException("not writable");
        return path;
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }

    /** For {@link Compare}: IOException from a peer ends the run with its message. */
    static void failPeer(IOException e) {
        fail("bench compare: " + e.getMessage());
    }

    // ---- libtorch 2.7 through DJL, cold protocol (issue 13) ----

    /** {@code compare}'s peer: {@code --peer torch} (the default: PyTorch and OpenBLAS, {@link Compare}) or {@code djl} ({@link DjlCompare}). */
    private static List<Sample> compare(Map<String, String> o) {
        String peer = o.getOrDefault("peer", "torch");
        if (peer.equals("torch")) return Compare.run(o);
        if (!peer.equals("djl")) fail("bench compare: expected --peer torch or djl, found '" + peer + "'");
        // The seed CNN runs the fresh-JVM protocol (DjlCompare); the sequence workloads run as Compare's blocks against DJL.
        List<String> cnn = new ArrayList<>(), seq = new ArrayList<>();
        for (String s : o.getOrDefault("only", "train,infer").split(",")) {
            switch (s) {
                case "train", "infer" -> cnn.add(s);
                case "lstm", "gru", "transformer", "attention", "gpt" -> seq.add(s);
                default -> fail("bench compare --peer djl: expected --only among train,infer,lstm,gru,transformer,attention,gpt, found '" + s + "'");
            }
        }
        try {
            List<Sample> all = new ArrayList<>();
            if (!cnn.isEmpty()) {
                Map<String, String> c = new HashMap<>(o);
                c.put("only", String.join(",", cnn));
                all.addAll(DjlCompare.run(c));
            }
            if (!seq.isEmpty()) {
                Map<String, String> c = new HashMap<>(o);
                c.put("only", String.join(",", seq));
                all.addAll(Compare.run(c));
            }
            return all;
        } catch (IOException e) {
            failPeer(e);
            return List.of();
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return List.of();
        }
    }

    /** {@code cold train|infer [--batch 64] [--steps 160] [--init-out F.safetensors]}: one cold run ({@link ColdRun}), its timeline JSON on stdout. */
    private static void cold(String[] args) {
        if (args.length < 2 || !(args[1].equals("train") || args[1].equals("infer"))) {
            fail("bench cold: expected a mode, train or infer, then options, found '" + (args.length < 2 ? "" : args[1]) + "'; " + USAGE);
        }
        Map<String, String> o = options(Arrays.copyOfRange(args, 2, args.length));
        try {
            Backend backend = backend(o);
            // The thread count the CPU backend sized its pool by (description() names it too).
            int threads = backend.name().equals("cpu") ? CpuThreadPool.defaultThreads() : 0;
            Path initOut = o.containsKey("init-out") ? Path.of(o.get("init-out")) : null;
            System.out.println(ColdRun.run(backend, args[1], intOpt(o, "batch", 64), intOpt(o, "steps", 160), initOut).toJson(threads));
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        } catch (IOException e) {
            fail("bench cold: writing --init-out: " + e.getMessage());
        }
    }
}
