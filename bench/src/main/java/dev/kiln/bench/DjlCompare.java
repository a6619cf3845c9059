package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./kiln bench compare --peer djl}: the seed CNN on Kiln's CPU backend against libtorch
 * 2.7.1 through DJL 0.35.1 ({@code bench/peers/djl}), training at {@code --batch 64,128} and
 * inference at {@code --infer-batch 256} ({@code --only train,infer} picks). Two protocols:
 * <ul>
 *   <li>{@code --protocol cold} (default): fresh JVMs from the first step, see {@link ColdCompare}.
 *   <li>{@code --protocol warm}: as the PyTorch comparison of {@link Compare}: Kiln warmed in this JVM
 *       by {@code --jit-warmup} untimed steps (default 100) per config, then {@code --rounds} rounds
 *       (default 5) alternating one Kiln block of {@code --steps} steps (default 20, after
 *       {@code --warmup} steps, default 5) with one DJL process running the same; images/s and the
 *       ratio Kiln/DJL per round.
 * </ul>
 * Both print a markdown table; {@code --out} writes the samples as JSON lines.
 */
final class DjlCompare {
    private DjlCompare() {}

    /** Runs the protocol {@code --protocol} names. */
    static List<Sample> run(Map<String, String> o) throws IOException {
        return switch (o.getOrDefault("protocol", "cold")) {
            case "cold" -> ColdCompare.run(o);
            case "warm" -> warm(o);
            default -> throw new IllegalArgumentException("bench compare --peer djl: expected --protocol cold or warm, found '" + o.get("protocol") + "'");
        };
    }

    /** The configs {@code --only} selects, as {mode, batch}: training batches, then inference batches. */
    static List<String[]> configs(Map<String, String> o) {
        Set<String> only = Set.of(o.getOrDefault("only", "train,infer").split(","));
        for (String s : only) {
            if (!s.equals("train") && !s.equals("infer")) {
                throw new IllegalArgumentException("bench compare --peer djl: expected --only among train,infer (the seed CNN), found '" + s + "'");
            }
        }
        List<String[]> c = new ArrayList<>();
        if (only.contains("train")) for (int b : BenchMain.ints(o.getOrDefault("batch", "64,128"))) c.add(new String[] {"train", String.valueOf(b)});
        if (only.contains("infer")) for (int b : BenchMain.ints(o.getOrDefault("infer-batch", "256"))) c.add(new String[] {"infer", String.valueOf(b)});
        return c;
    }

    private static List<Sample> warm(Map<String, String> o) throws IOException {
        Backend cpu = Kiln.backend("cpu");
        int rounds = BenchMain.intOpt(o, "rounds", 5), steps = BenchMain.intOpt(o, "steps", 20), warmup = BenchMain.intOpt(o, "warmup", 5);
        int jitWarmup = BenchMain.intOpt(o, "jit-warmup", 100), threads = BenchMain.intOpt(o, "threads", 2);
        String loadBefore = loadAverage();
        List<Sample> all = new ArrayList<>();
        List<String> table = new ArrayList<>();
        for (String[] config : configs(o)) {
            boolean train = config[0].equals("train");
            int b = Integer.parseInt(config[1]);
            if (jitWarmup > 0) {
                if (train) TrainBenchmark.run(cpu, b, jitWarmup, 1, 1);
                else InferBenchmark.run(cpu, b, jitWarmup, 1, 1);
            }
            double[] k = new double[rounds], d = new double[rounds], ratio = new double[rounds];
            Sample ks = null, ds = null;
            for (int r = 0; r < rounds; r++) {
                ks = train ? TrainBenchmark.run(cpu, b, warmup, steps, 1) : InferBenchmark.run(cpu, b, warmup, steps, 1);
                ds = Peers.djl(config[0], b, warmup, steps, 1, threads);
                k[r] = ks.median();
                d[r] = ds.median();
                ratio[r] = k[r] / d[r];
                System.out.printf(Locale.ROOT, "  %s batch %d round %d: kiln %.1f, djl %.1f images/s (ratio %.2f)%n", config[0], b, r + 1, k[r], d[r], ratio[r]);
            }
            Sample kiln = new Sample(config[0], "kiln", "cpu", "batch " + b, "images/s", k, ks.detail() + ", after " + jitWarmup + " JIT warm-up steps");
            Sample djl = new Sample(config[0], "djl", "cpu", "batch " + b, "images/s", d, ds.detail());
            Sample rs = new Sample(config[0], "ratio", "cpu", "batch " + b, "kiln/djl", ratio, "per-round ratios; above 1: Kiln faster");
            all.addAll(List.of(kiln, djl, rs));
            table.add(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |", config[0], b, range(kiln, "%.0f"), range(djl, "%.0f"), range(rs, "%.2f")));
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Warm protocol: Kiln warmed in-process (%d steps), DJL a fresh JVM per round with %d warm-up steps; %d rounds of %d steps; "
                + "%d threads; load average before %s, after %s; images/s, min / median / max over rounds%n%n", jitWarmup, warmup, rounds, steps, threads,
                loadBefore, loadAverage());
        System.out.println("| bench | batch | Kiln | libtorch 2.7.1 (DJL) | speed Kiln/DJL |");
        System.out.println("|---|---|---|---|---|");
        table.forEach(System.out::println);
        return all;
    }

    /** "min / median / max" of a sample's values, each formatted with {@code format}. */
    static String range(Sample s, String format) {
        return String.format(Locale.ROOT, format + " / " + format + " / " + format, s.min(), s.median(), s.max());
    }

    /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), or "unknown" off Linux: the load a measurement ran under. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
