package dev.kiln.bench;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./kiln bench train [--backend cpu|cuda] [--batch 64,128] [--steps N] [--warmup N]
 * [--repeats N] [--out FILE]}: seed-CNN training throughput; prints a table and JSON lines.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0 || !args[0].equals("train")) {
            System.err.println("usage: ./kiln bench train [--backend cpu|cuda] [--batch 64,128] [--steps N] [--warmup N] [--repeats N] [--out FILE]");
            System.exit(2);
        }
        String backendName = null;
        int[] batches = {64, 128};
        int steps = -1, warmup = -1, repeats = 5;
        Path out = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--backend" -> { backendName = v; i++; }
                case "--batch" -> { batches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray(); i++; }
                case "--steps" -> { steps = Integer.parseInt(v); i++; }
                case "--warmup" -> { warmup = Integer.parseInt(v); i++; }
                case "--repeats" -> { repeats = Integer.parseInt(v); i++; }
                case "--out" -> { out = Path.of(v); i++; }
                default -> {
                    System.err.println("bench train: unknown option " + a);
                    System.exit(2);
                }
            }
        }
        Backend backend = backendName == null ? Kiln.backend() : Kiln.backend(backendName);
        boolean gpu = !backend.name().equals("cpu");
        if (steps < 0) steps = gpu ? 200 : 10;
        if (warmup < 0) warmup = gpu ? 50 : 3;
        List<String> json = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-6s %-6s %8s %14s   %s%n", "backend", "batch", "steps", "images/s (med)", "all repeats");
        for (int b : batches) {
            TrainBenchmark.Result r = TrainBenchmark.run(backend, b, warmup, steps, repeats);
            System.out.printf(Locale.ROOT, "%-6s %-6d %8d %14.1f   %s%n", r.backend(), b, steps, r.median(),
                    Arrays.toString(Arrays.stream(r.imagesPerSecond()).mapToLong(Math::round).toArray()));
            json.add(r.toJson());
        }
        json.forEach(System.out::println);
        if (out != null) Files.write(out, json);
    }
}
