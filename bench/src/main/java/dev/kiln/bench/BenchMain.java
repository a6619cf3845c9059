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
        if (args.length > 0 && args[0].equals("profile")) {
            Backend b = Kiln.backend(args.length > 1 ? args[1] : "cpu");
            int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
            LayerProfile.print(LayerProfile.run(b, batch, 1.0), batch, System.out);
            return;
        }
        if (args.length > 0 && args[0].equals("tiles")) {
            int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
            int[] sizes = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {512, 1024};
            try (var pool = new dev.kiln.cpu.CpuThreadPool(threads)) {
                for (var k : GemmBench.kernels()) {
                    for (int n : sizes) {
                        var r = GemmBench.kernel(pool, k, n, n, n, 2.0);
                        System.out.printf(Locale.ROOT, "%-24s %5d %8.1f GFLOP/s%n", k.name(), n, r.gflops());
                    }
                }
            }
            return;
        }
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
