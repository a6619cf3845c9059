package dev.kiln.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the peer benchmarks of {@code bench/peers/} ({@code peer.sh}, which installs PyTorch or
 * OpenBLAS from Debian when missing) as child processes and reads their JSON lines.
 */
final class Peers {
    /** System property: the peers directory (default {@code bench/peers} under the working directory). */
    static final String DIR_PROPERTY = "kiln.bench.peers";
    private static final Pattern IMAGES = Pattern.compile("\"images_per_s\": \\[([^\\]]*)\\]");
    private static final Pattern GFLOPS = Pattern.compile("\"gflops\":([0-9.]+)");
    private static final Pattern TORCH = Pattern.compile("\"torch\": \"([^\"]*)\"");
    private static final Pattern SEQ = Pattern.compile("\"seq_per_s\": \\[([^\\]]*)\\]");
    private static final Pattern SEQ_PER_S = Pattern.compile("\"seq_per_s\": \\[([^\\]]*)\\]");
    private static final Pattern MS = Pattern.compile("\"ms\": \\[([^\\]]*)\\]");
    private static final Pattern RSS = Pattern.compile("\"peak_rss_growth_mib\": ([0-9.]+)");

    private Peers() {}

    /** PyTorch CPU on the seed CNN ({@code mode} "train" or "infer"), 2 threads: images/s of each timed block. */
    static Sample torch(String mode, int batch, int warmup, int steps, int repeats, int threads) throws IOException {
        List<String> out = run("torch", "--mode", mode, "--batch", String.valueOf(batch), "--warmup", String.valueOf(warmup),
                "--steps", String.valueOf(steps), "--repeats", String.valueOf(repeats), "--threads", String.valueOf(threads));
        for (String line : out) {
            Matcher m = IMAGES.matcher(line);
            if (!m.find()) continue;
            String[] parts = m.group(1).split(",");
            double[] v = new double[parts.length];
            for (int i = 0; i < parts.length; i++) v[i] = Double.parseDouble(parts[i].trim());
            Matcher t = TORCH.matcher(line);
            return new Sample(mode, "pytorch", "cpu", "batch " + batch, "images/s", v,
                    "torch " + (t.find() ? t.group(1) : "?") + ", " + threads + " threads, " + steps + " steps per repeat");
        }
        throw new IOException("pytorch peer printed no result: " + out);
    }

    /** PyTorch CPU on the seq-MNIST recurrent step ({@code cell} "lstm" or "gru"), {@code threads} threads: sequences/s of each timed block. */
    static Sample torchRnn(String cell, int batch, int warmup, int steps, int repeats, int threads) throws IOException {
        List<String> out = run("torch-rnn", "--cell", cell, "--batch", String.valueOf(batch), "--warmup", String.valueOf(warmup),
                "--steps", String.valueOf(steps), "--repeats", String.valueOf(repeats), "--threads", String.valueOf(threads));
        for (String line : out) {
            Matcher m = SEQ.matcher(line);
            if (!m.find()) continue;
            String[] parts = m.group(1).split(",");
            double[] v = new double[parts.length];
            for (int i = 0; i < parts.length; i++) v[i] = Double.parseDouble(parts[i].trim());
            Matcher t = TORCH.matcher(line);
            return new Sample(cell, "pytorch", "cpu", "seq-mnist batch " + batch, "seq/s", v,
                    "torch " + (t.find() ? t.group(1) : "?") + ", " + threads + " threads, " + steps + " steps per repeat");
        }
        throw new IOException("pytorch " + cell + " peer printed no result: " + out);
    }

    /**
     * PyTorch CPU on the transformer-layer training step ({@code torch_transformer_step.py}): sequences/s
     * of each timed block of {@code steps} steps.
     */
    static Sample torchTransformer(int batch, int seq, int warmup, int steps, int repeats, int threads) throws IOException {
        List<String> out = run("torch-transformer", "--batch", String.valueOf(batch), "--seq", String.valueOf(seq),
                "--warmup", String.valueOf(warmup), "--steps", String.valueOf(steps), "--repeats", String.valueOf(repeats),
                "--threads", String.valueOf(threads));
        for (String line : out) {
            Matcher m = SEQ_PER_S.matcher(line);
            if (!m.find()) continue;
            Matcher t = TORCH.matcher(line);
            return new Sample("transformer", "pytorch", "cpu", "layer batch " + batch + " seq " + seq, "seq/s", numbers(m.group(1)),
                    "torch " + (t.find() ? t.group(1) : "?") + ", " + threads + " threads, " + steps + " steps per repeat");
        }
        throw new IOException("pytorch transformer peer printed no result: " + out);
    }

    /**
     * PyTorch CPU attention forward + backward at batch 1, one head, head size {@code dim}
     * ({@code torch_attention_bench.py --json}): the time sample (ms per step) and the peak sample
     * (MiB the process's peak resident set grew by over the steps).
     */
    static Sample[] torchAttention(int t, int dim, int warmup, int repeats, int threads) throws IOException {
        List<String> out = run("torch-attention", "--json", "--seq", String.valueOf(t), "--heads", "1", "--dim", String.valueOf(dim),
                "--warmup", String.valueOf(warmup), "--repeats", String.valueOf(repeats), "--threads", String.valueOf(threads));
        for (String line : out) {
            Matcher m = MS.matcher(line), r = RSS.matcher(line);
            if (!m.find() || !r.find()) continue;
            Matcher v = TORCH.matcher(line);
            String config = "T " + t + " H 1 E " + dim, detail = "torch " + (v.find() ? v.group(1) : "?") + ", " + threads + " threads, math path";
            return new Sample[] {new Sample("attention", "pytorch", "cpu", config, "ms fwd+bwd", numbers(m.group(1)), detail),
                new Sample("attention", "pytorch", "cpu", config + " peak", "MiB", new double[] {Double.parseDouble(r.group(1))},
                        detail + "; peak = growth of VmHWM (peak RSS) over the steps")};
        }
        throw new IOException("pytorch attention peer printed no result: " + out);
    }

    private static double[] numbers(String csv) {
        String[] parts = csv.split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) v[i] = Double.parseDouble(parts[i].trim());
        return v;
    }

    /** OpenBLAS {@code cblas_sgemm} n x n x n, timed for about {@code seconds}: GFLOP/s. */
    static Sample openblas(int n, double seconds) throws IOException {
        List<String> out = run("openblas", String.valueOf(n), String.valueOf(seconds));
        for (String line : out) {
            Matcher m = GFLOPS.matcher(line);
            if (m.find()) {
                return new Sample("gemm", "openblas", "cpu", n + "x" + n + "x" + n, "GFLOP/s", new double[] {Double.parseDouble(m.group(1))},
                        line.replaceAll(".*\"config\":\"([^\"]*)\".*", "$1"));
            }
        }
        throw new IOException("openblas peer printed no result: " + out);
    }

    private static List<String> run(String... args) throws IOException {
        Path script = Path.of(System.getProperty(DIR_PROPERTY, "bench/peers"), "peer.sh");
        if (!Files.isExecutable(script)) throw new IOException("peer script not found at " + script.toAbsolutePath() + " (run from the repository root or set -D" + DIR_PROPERTY + ")");
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) lines.add(l);
        }
        try {
            int rc = p.waitFor();
            if (rc != 0) throw new IOException(String.join(" ", cmd) + " exited with " + rc);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + cmd, e);
        }
        return lines;
    }

    // ---- GPT (issue 12) ----
    private static final Pattern TOKENS_PER_S = Pattern.compile("\"tokens_per_s\": \\[([^\\]]*)\\]");

    /** PyTorch CPU on the GPT training step ({@code torch_gpt.py bench}): tokens/s of each timed block of {@code steps} steps. */
    static Sample torchGpt(dev.kiln.nn.gpt.GptConfig c, int batch, int warmup, int steps, int repeats, int threads) throws IOException {
        List<String> out = run("torch-gpt", "bench", "--layers", String.valueOf(c.layers()), "--width", String.valueOf(c.width()),
                "--heads", String.valueOf(c.heads()), "--context", String.valueOf(c.contextLength()), "--vocab", String.valueOf(c.vocabSize()),
                "--batch", String.valueOf(batch), "--warmup", String.valueOf(warmup), "--steps", String.valueOf(steps),
                "--repeats", String.valueOf(repeats), "--threads", String.valueOf(threads));
        for (String line : out) {
            Matcher m = TOKENS_PER_S.matcher(line);
            if (!m.find()) continue;
            Matcher t = TORCH.matcher(line);
            return new Sample("gpt", "pytorch", "cpu", GptBenchmark.label(c, batch), "tokens/s", numbers(m.group(1)),
                    "torch " + (t.find() ? t.group(1) : "?") + ", " + threads + " threads, " + steps + " steps per repeat");
        }
        throw new IOException("pytorch gpt peer printed no result: " + out);
    }

    // ---- libtorch 2.7 through DJL (issue 13) ----
    private static final Pattern ENGINE = Pattern.compile("\"engine\": \"([^\"]*)\"");

    /**
     * The java command that runs {@code dev.kiln.peers.djl.CLASS} ({@code peer.sh djl-command}, which
     * first builds {@code bench/peers/djl} when needed), for the caller to append arguments to and
     * launch itself: so that a cold run's launch time is the JVM's alone, without the script's.
     */
    static List<String> djlCommand(String cls) throws IOException {
        List<String> cmd = run("djl-command", cls);
        if (cmd.size() < 2) throw new IOException("peer.sh djl-command " + cls + ": expected a java command, one argument per line, got " + cmd);
        return cmd;
    }

    /** libtorch 2.7.1 through DJL ({@code DjlTrain}) on the seed CNN ({@code mode} "train" or "infer"): images/s of each timed block. */
    static Sample djl(String mode, int batch, int warmup, int steps, int repeats, int threads) throws IOException {
        Matcher m = djlLine("DjlTrain", toEnd(IMAGES), "--mode", mode, "--batch", String.valueOf(batch), "--warmup", String.valueOf(warmup),
                "--steps", String.valueOf(steps), "--repeats", String.valueOf(repeats), "--threads", String.valueOf(threads));
        return new Sample(mode, "djl", "cpu", "batch " + batch, "images/s", numbers(m.group(1)),
                djlDetail(m, threads, ", " + warmup + " warm-up and " + steps + " steps per repeat"));
    }

    // ---- djl sequence peers (issue 13) ----

    /**
     * Runs {@code bench/peers/peer.sh djl CLASS args...} (libtorch 2.7.1 through DJL 0.35.1, the
     * classes of {@code bench/peers/djl}) and returns the matcher of {@code pattern} on the first
     * printed line where it matches.
     */
    private static Matcher djlLine(String cls, Pattern pattern, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("djl", cls));
        cmd.addAll(List.of(args));
        List<String> out = run(cmd.toArray(String[]::new));
        for (String line : out) {
            Matcher m = pattern.matcher(line);
            if (m.find()) return m;
        }
        throw new IOException("djl peer " + cls + " printed no line with " + pattern.pattern() + ": " + out);
    }

    /** A DJL sample's detail: the line's "engine" member ("libtorch 2.7.1 (DJL 0.35.1)"), the threads, then {@code more}. */
    private static String djlDetail(Matcher m, int threads, String more) {
        Matcher e = ENGINE.matcher(m.group(0));
        return (e.find() ? e.group(1) : "libtorch (DJL)") + ", " + threads + " threads" + more;
    }

    /** The pattern {@code p} extended to the end of the line, so that the match carries the whole JSON line. */
    private static Pattern toEnd(Pattern p) {
        return Pattern.compile(".*" + p.pattern() + ".*");
    }

    /** libtorch (DJL) on the seq-MNIST recurrent step ({@code DjlLstm}, {@code cell} "lstm" or "gru"): sequences/s of each timed block. */
    static Sample djlRnn(String cell, int batch, int warmup, int steps, int repeats, int threads) throws IOException {
        Matcher m = djlLine("DjlLstm", toEnd(SEQ_PER_S), "--cell", cell, "--batch", String.valueOf(batch), "--warmup", String.valueOf(warmup),
                "--steps", String.valueOf(steps), "--repeats", String.valueOf(repeats), "--threads", String.valueOf(threads));
        return new Sample(cell, "djl", "cpu", "seq-mnist batch " + batch, "seq/s", numbers(m.group(1)), djlDetail(m, threads, ", " + steps + " steps per repeat"));
    }

    /** libtorch (DJL) on the transformer-layer training step ({@code DjlTransformer}): sequences/s of each timed block. */
    static Sample djlTransformer(int batch, int seq, int warmup, int steps, int repeats, int threads) throws IOException {
        Matcher m = djlLine("DjlTransformer", toEnd(SEQ_PER_S), "--batch", String.valueOf(batch), "--seq", String.valueOf(seq),
                "--warmup", String.valueOf(warmup), "--steps", String.valueOf(steps), "--repeats", String.valueOf(repeats), "--threads", String.valueOf(threads));
        return new Sample("transformer", "djl", "cpu", "layer batch " + batch + " seq " + seq, "seq/s", numbers(m.group(1)),
                djlDetail(m, threads, ", " + steps + " steps per repeat"));
    }

    /**
     * libtorch (DJL) attention forward + backward at batch 1, one head ({@code DjlAttention}, the math
     * path: DJL has no fused attention): the time sample (ms per step) and the peak sample (growth of
     * the peer's peak resident set over the steps), as {@link #torchAttention}.
     */
    static Sample[] djlAttention(int t, int dim, int warmup, int repeats, int threads) throws IOException {
        Matcher m = djlLine("DjlAttention", toEnd(MS), "--seq", String.valueOf(t), "--heads", "1", "--dim", String.valueOf(dim),
                "--warmup", String.valueOf(warmup), "--repeats", String.valueOf(repeats), "--threads", String.valueOf(threads));
        Matcher r = RSS.matcher(m.group(0));
        if (!r.find()) throw new IOException("djl attention peer printed no peak_rss_growth_mib: " + m.group(0));
        String config = "T " + t + " H 1 E " + dim, detail = djlDetail(m, threads, ", math path");
        return new Sample[] {new Sample("attention", "djl", "cpu", config, "ms fwd+bwd", numbers(m.group(1)), detail),
            new Sample("attention", "djl", "cpu", config + " peak", "MiB", new double[] {Double.parseDouble(r.group(1))},
                    detail + "; peak = growth of VmHWM (peak RSS) over the steps")};
    }

    /** libtorch (DJL) on the GPT training step ({@code DjlGpt}): tokens/s of each timed block. */
    static Sample djlGpt(dev.kiln.nn.gpt.GptConfig c, int batch, int warmup, int steps, int repeats, int threads) throws IOException {
        Matcher m = djlLine("DjlGpt", toEnd(TOKENS_PER_S), "--layers", String.valueOf(c.layers()), "--width", String.valueOf(c.width()),
                "--heads", String.valueOf(c.heads()), "--context", String.valueOf(c.contextLength()), "--vocab", String.valueOf(c.vocabSize()),
                "--batch", String.valueOf(batch), "--warmup", String.valueOf(warmup), "--steps", String.valueOf(steps),
                "--repeats", String.valueOf(repeats), "--threads", String.valueOf(threads));
        return new Sample("gpt", "djl", "cpu", GptBenchmark.label(c, batch), "tokens/s", numbers(m.group(1)), djlDetail(m, threads, ", " + steps + " steps per repeat"));
    }
}
