package dev.kiln.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The cold protocol of {@code ./kiln bench compare --peer djl}: for each config (training at
 * {@code --batch 64,128}, inference at {@code --infer-batch 256}), {@code --rounds} rounds (default
 * 5) that each launch a fresh Kiln JVM ({@code bench cold}, see {@link ColdRun}) and then a fresh
 * DJL JVM ({@code DjlTrain --timeline}), alternating, each running {@code --steps} steps (default
 * 160) from the first one. Per side it reports, as min / median / max over the rounds: the median
 * and mean step after {@code --warm-from} steps (default 100; "warm"), the whole loop, the first 10
 * and first 100 steps, and the same from the process launch (noted by this JVM just before it
 * starts the child), which adds the JVM's start-up, class loading and model set-up; and the
 * ratio peer time / Kiln time per round (above 1: Kiln faster).
 *
 * <p>The Kiln children run this JVM's own java with this JVM's options (so {@code KILN_JAVA_OPTS}
 * reaches them) and class path, with {@code -Dkiln.cpu.threads=--threads}; the DJL children get
 * libtorch's intra-op threads from the same {@code --threads} (default 2).
 */
final class ColdCompare {
    private ColdCompare() {}

    /** A child's timeline and when this JVM launched it. */
    record Launch(Timeline timeline, long launchEpochUs) {
        /** From the launch to the first step's start: JVM start-up, class loading, model and data set-up, ms. */
        double launchToFirstStepMs() {
            return (timeline.firstStepEpochUs() - launchEpochUs) / 1000.0;
        }
    }

    /** One reported quantity of a cold run, in ms. */
    private record Metric(String name, ToDoubleFunction<Launch> value) {}

    /** Runs the protocol; returns one sample per side and metric, and one of per-round ratios. */
    static List<Sample> run(Map<String, String> o) throws IOException {
        int rounds = BenchMain.intOpt(o, "rounds", 5), steps = BenchMain.intOpt(o, "steps", 160);
        int warmFrom = BenchMain.intOpt(o, "warm-from", 100), threads = BenchMain.intOpt(o, "threads", 2);
        if (steps <= warmFrom) throw new IllegalArgumentException("bench compare --peer djl: expected --steps > --warm-from, found " + steps + " <= " + warmFrom);
        List<Metric> metrics = metrics(steps, warmFrom);
        List<String> kiln = kilnCommand(threads), djl = Peers.djlCommand("DjlTrain");
        String loadBefore = DjlCompare.loadAverage();
        List<Sample> all = new ArrayList<>();
        List<String> table = new ArrayList<>();
        for (String[] config : DjlCompare.configs(o)) {
            String mode = config[0], batch = config[1];
            List<Launch> k = new ArrayList<>(), d = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                k.add(launch(append(kiln, mode, "--batch", batch, "--steps", String.valueOf(steps))));
                d.add(launch(append(djl, "--timeline", "--mode", mode, "--batch", batch, "--steps", String.valueOf(steps),
                        "--threads", String.valueOf(threads))));
                System.out.printf(Locale.ROOT, "  %s batch %s round %d: loop kiln %.0f ms, djl %.0f ms; launch to first step kiln %.0f ms, djl %.0f ms; "
                                + "loss first/last kiln %.4f/%.4f, djl %.4f/%.4f%n", mode, batch, r + 1, k.get(r).timeline().loopMs(), d.get(r).timeline().loopMs(),
                        k.get(r).launchToFirstStepMs(), d.get(r).launchToFirstStepMs(), k.get(r).timeline().firstLoss(), k.get(r).timeline().lastLoss(),
                        d.get(r).timeline().firstLoss(), d.get(r).timeline().lastLoss());
            }
            String detail = String.format(Locale.ROOT, "%d rounds of fresh JVMs, %d steps, warm = steps after %d, %d threads; ", rounds, steps, warmFrom, threads);
            for (Metric m : metrics) {
                double[] kv = values(k, m), dv = values(d, m), ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) ratio[r] = dv[r] / kv[r];
                String c = "batch " + batch + " " + m.name();
                Sample ks = new Sample(mode, "kiln", "cpu", c, "ms", kv, detail + k.get(0).timeline().engine());
                Sample ds = new Sample(mode, "djl", "cpu", c, "ms", dv, detail + d.get(0).timeline().engine());
                Sample rs = new Sample(mode, "ratio", "cpu", c, "djl/kiln time", ratio, "per-round ratios; above 1: Kiln faster");
                all.addAll(List.of(ks, ds, rs));
                table.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |", mode, batch, m.name(), DjlCompare.range(ks, "%.1f"),
                        DjlCompare.range(ds, "%.1f"), DjlCompare.range(rs, "%.2f")));
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Cold protocol: %d rounds of fresh JVMs (Kiln, DJL alternating), %d steps each, warm = steps after %d; "
                + "%d threads; load average before %s, after %s; times in ms, min / median / max over rounds%n%n", rounds, steps, warmFrom, threads,
                loadBefore, DjlCompare.loadAverage());
        System.out.println("| bench | batch | metric (ms) | Kiln | libtorch 2.7.1 (DJL) | speed Kiln/DJL |");
        System.out.println("|---|---|---|---|---|---|");
        table.forEach(System.out::println);
        return all;
    }

    /** The reported quantities: the first N steps only where the run has N steps. */
    private static List<Metric> metrics(int steps, int warmFrom) {
        List<Metric> m = new ArrayList<>();
        m.add(new Metric("warm median step", l -> l.timeline().warmMedianMs(warmFrom)));
        m.add(new Metric("warm mean step", l -> l.timeline().warmMeanMs(warmFrom)));
        m.add(new Metric("loop", l -> l.timeline().loopMs()));
        for (int n : new int[] {10, 100}) {
            if (n <= steps) m.add(new Metric("first " + n + " steps", l -> l.timeline().firstStepsMs(n)));
        }
        m.add(new Metric("launch to first step", Launch::launchToFirstStepMs));
        for (int n : new int[] {10, 100}) {
            if (n <= steps) m.add(new Metric("launch to step " + n, l -> l.launchToFirstStepMs() + l.timeline().firstStepsMs(n)));
        }
        return m;
    }

    private static double[] values(List<Launch> runs, Metric m) {
        return runs.stream().mapToDouble(m.value()).toArray();
    }

    /** This JVM's java, options and class path, running {@code BenchMain cold}; the mode and options follow. */
    static List<String> kilnCommand(int threads) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        c.add("-Dkiln.cpu.threads=" + threads); // after the inherited options: the last -D wins
        c.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMain.class.getName(), "cold"));
        return c;
    }

    private static List<String> append(List<String> base, String... args) {
        List<String> c = new ArrayList<>(base);
        c.addAll(List.of(args));
        return c;
    }

    /** Launches {@code cmd}, noting the wall-clock instant just before, and reads the timeline line it prints. */
    static Launch launch(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        Instant before = Instant.now();
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) lines.add(l);
        }
        try {
            int rc = p.waitFor();
            if (rc != 0) throw new IOException("cold run " + String.join(" ", cmd.subList(Math.max(0, cmd.size() - 8), cmd.size())) + " exited with " + rc);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for a cold run", e);
        }
        for (String l : lines) {
            if (l.contains("\"step_end_ns\"")) return new Launch(Timeline.parse(l), before.getEpochSecond() * 1_000_000L + before.getNano() / 1000);
        }
        throw new IOException("cold run printed no timeline (expected a JSON line with \"step_end_ns\"), got: " + lines);
    }
}
