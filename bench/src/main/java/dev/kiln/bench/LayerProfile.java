package dev.kiln.bench;

import dev.kiln.spi.AdamSpec;
import dev.kiln.spi.Backend;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.spi.Conv2dSpec;
import dev.kiln.spi.CrossEntropySpec;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.Pool2dSpec;
import dev.kiln.spi.ReduceSpec;
import dev.kiln.spi.Storage;
import dev.kiln.spi.UnaryOp;
import dev.kiln.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a seed-CNN training step spends its time: every backend primitive the step calls,
 * timed on its own with the step's shapes (straight on the {@link Backend} SPI, so no autograd or
 * allocation cost is included; {@link TrainBenchmark} measures the whole step). Each row is one
 * primitive of one layer, with milliseconds per call and GFLOP/s for the matrix work.
 */
public final class LayerProfile {
    /**
     * One timed primitive: wall milliseconds per call, and the calling thread's CPU milliseconds
     * per call ({@code cpuMs}; with {@code -Dkiln.cpu.threads=1} that is all of the work, and it
     * does not count time the thread spent descheduled on a shared machine), and the fastest single
     * call's wall milliseconds ({@code minMs}: the least disturbed by other processes).
     */
    public record Row(String layer, String op, double ms, double cpuMs, double minMs, double gflop) {
        double gflops() {
            return gflop <= 0 ? Double.NaN : gflop / (ms / 1e3);
        }
    }

    private final Backend backend;
    private final int batch;
    private final List<Storage> owned = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final double minSeconds;

    private LayerProfile(Backend backend, int batch, double minSeconds) {
        this.backend = backend;
        this.batch = batch;
        this.minSeconds = minSeconds;
    }

    /** Profiles every primitive of one training step at {@code batch}, timing each for about {@code minSeconds}. */
    public static List<Row> run(Backend backend, int batch, double minSeconds) {
        LayerProfile p = new LayerProfile(backend, batch, minSeconds);
        try {
            p.all();
        } finally {
            p.owned.forEach(Storage::close);
        }
        return p.rows;
    }

    private void all() {
        int n = batch;
        Conv2dSpec c1 = new Conv2dSpec(n, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1), c2 = new Conv2dSpec(n, 32, 13, 13, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1);
        Pool2dSpec p1 = new Pool2dSpec(n, 32, 26, 26, 2, 2, 2, 2, 0, 0, 1, 1, false, false), p2 = new Pool2dSpec(n, 64, 11, 11, 2, 2, 2, 2, 0, 0, 1, 1, false, false);
        convPool("conv1", c1, p1, false);
        convPool("conv2", c2, p2, true);
        conv("conv3", new Conv2dSpec(n, 64, 5, 5, 64, 3, 3, 1, 1, 0, 0, 1, 1, 1), true);
        dense("dense1", n, 576, 64);
        act("relu4", n * 64);
        dense("dense2", n, 64, 10);
        Storage logits = random(n * 10), targets = backend.allocate(DType.INT32, n), losses = empty(n), logp = empty(n * 10), g = random(n);
        owned.add(targets);
        backend.fill(targets, 3);
        CrossEntropySpec ce = new CrossEntropySpec(n, 10, 0f);
        time("loss", "cross-entropy fwd", 0, () -> backend.crossEntropy(ce, logits, targets, losses, logp, null));
        time("loss", "cross-entropy bwd", 0, () -> backend.crossEntropyBackward(ce, logp, targets, g, logits));
        int[][] shapes = {{32 * 9}, {32}, {64 * 32 * 9}, {64}, {64 * 64 * 9}, {64}, {64 * 576}, {64}, {640}, {10}};
        List<Storage> p = new ArrayList<>(), gr = new ArrayList<>(), m = new ArrayList<>(), v = new ArrayList<>();
        for (int[] s : shapes) {
            p.add(random(s[0]));
            gr.add(random(s[0]));
            m.add(zeros(s[0]));
            v.add(zeros(s[0]));
        }
        time("optimizer", "adam (93,322 params)", 0,
                () -> backend.adamStep(new AdamSpec(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, 1), p, gr, m, v));
    }

    private void conv(String layer, Conv2dSpec s, boolean backwardData) {
        Storage x = random((long) s.n() * s.c() * s.h() * s.w());
        Storage w = random((long) s.outC() * s.c() * s.kh() * s.kw()), b = random(s.outC());
        long yn = (long) s.n() * s.outC() * s.outH() * s.outW();
        Storage y = empty(yn), gy = random(yn), gx = empty((long) s.n() * s.c() * s.h() * s.w()), gw = empty(w.numel()), gb = empty(s.outC());
        double gflop = 2.0 * yn * s.c() * s.kh() * s.kw() / 1e9;
        Storage gz = empty(yn);
        // The seed CNN's convolutions are fused with their ReLU (Functional.conv2dRelu), as the training step runs them.
        time(layer, "conv+relu fwd (+bias)", gflop, () -> backend.conv2dRelu(s, x, w, b, y));
        time(layer, "relu bwd + bias grad", 0, () -> backend.conv2dReluBackward(s, y, gy, gz, gb));
        if (backwardData) time(layer, "conv bwd data", gflop, () -> backend.conv2dBackwardData(s, gz, w, gx));
        time(layer, "conv bwd weight", gflop, () -> backend.conv2dBackwardWeight(s, x, gz, gw));
    }

    /** A convolution fused with its ReLU and the max pool after it ({@code Backend.conv2dReluMaxPool2d}), as the seed CNN's first two layers run. */
    private void convPool(String layer, Conv2dSpec s, Pool2dSpec ps, boolean backwardData) {
        Storage x = random((long) s.n() * s.c() * s.h() * s.w());
        Storage w = random((long) s.outC() * s.c() * s.kh() * s.kw()), b = random(s.outC());
        long yn = (long) s.n() * s.outC() * s.outH() * s.outW(), pn = (long) ps.n() * ps.c() * ps.outH() * ps.outW();
        Storage y = empty(yn), out = empty(pn), gOut = random(pn), gz = empty(yn), gx = empty((long) s.n() * s.c() * s.h() * s.w());
        Storage gw = empty(w.numel()), gb = empty(s.outC());
        double gflop = 2.0 * yn * s.c() * s.kh() * s.kw() / 1e9;
        time(layer, "conv+relu+pool fwd", gflop, () -> backend.conv2dReluMaxPool2d(s, ps, x, w, b, y, out));
        time(layer, "pool+relu bwd + bias", 0, () -> backend.conv2dReluMaxPool2dBackward(s, ps, y, out, gOut, gz, gb));
        if (backwardData) time(layer, "conv bwd data", gflop, () -> backend.conv2dBackwardData(s, gz, w, gx));
        time(layer, "conv bwd weight", gflop, () -> backend.conv2dBackwardWeight(s, x, gz, gw));
    }

    private void act(String layer, long numel) {
        Storage x = random(numel), y = empty(numel), g = random(numel), gx = empty(numel);
        time(layer, "relu fwd", 0, () -> backend.unary(UnaryOp.RELU, 0f, x, y));
        time(layer, "relu bwd", 0, () -> backend.unaryBackward(UnaryOp.RELU, 0f, x, y, g, gx));
    }

    private void dense(String layer, int n, int in, int out) {
        Storage x = random((long) n * in), w = random((long) out * in), b = random(out), y = empty((long) n * out);
        Storage g = random((long) n * out), gx = empty((long) n * in), gw = empty((long) out * in), gb = empty(out);
        double gflop = 2.0 * n * in * out / 1e9;
        int[] flat = {n, out};
        time(layer, "linear fwd (gemm)", gflop, () -> backend.matmul(MatmulSpec.of(n, out, in, false, true), x, w, y));
        time(layer, "bias add", 0, () -> backend.binary(BinaryOp.ADD, new Broadcast(flat, flat, new int[] {out}), y, b, y));
        time(layer, "linear bwd data", gflop, () -> backend.matmul(MatmulSpec.of(n, in, out, false, false), g, w, gx));
        time(layer, "linear bwd weight", gflop, () -> backend.matmul(MatmulSpec.of(out, in, n, true, false), g, x, gw));
        time(layer, "bias grad", 0, () -> backend.sum(new ReduceSpec(flat, new int[] {0}), g, gb));
    }

    /** Warms {@code body} up, then times it for at least {@link #minSeconds}; records the mean per call. */
    private void time(String layer, String op, double gflop, Runnable body) {
        String only = System.getProperty("kiln.profile.only");
        if (only != null && !layer.equals(only)) return;
        long warmEnd = System.nanoTime() + (long) (minSeconds * 0.5e9);
        int calls = 0;
        do {
            body.run();
            calls++;
        } while (System.nanoTime() < warmEnd || calls < 3);
        backend.synchronize();
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime(), t = t0, fastest = Long.MAX_VALUE;
        int timed = 0;
        do {
            long before = t;
            body.run();
            timed++;
            backend.synchronize();
            t = System.nanoTime();
            fastest = Math.min(fastest, t - before);
        } while (t - t0 < minSeconds * 1e9 || timed < 3);
        long cpu = mx.getCurrentThreadCpuTime() - c0;
        rows.add(new Row(layer, op, (t - t0) / 1e6 / timed, cpu / 1e6 / timed, fastest / 1e6, gflop));
    }

    private Storage random(long numel) {
        float[] v = new float[Math.toIntExact(numel)];
        java.util.SplittableRandom r = new java.util.SplittableRandom(numel);
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        Storage s = backend.allocate(DType.FLOAT32, numel);
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var host = arena.allocate(java.lang.foreign.ValueLayout.JAVA_FLOAT, Math.max(1, numel));
            java.lang.foreign.MemorySegment.copy(v, 0, host, java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, v.length);
            backend.copyFromHost(host, s);
        }
        owned.add(s);
        return s;
    }

    private Storage empty(long numel) {
        Storage s = backend.allocate(DType.FLOAT32, numel);
        owned.add(s);
        return s;
    }

    private Storage zeros(long numel) {
        Storage s = empty(numel);
        backend.fill(s, 0f);
        return s;
    }

    /** Prints the rows as a table with each row's share of their total. */
    public static void print(List<Row> rows, int batch, java.io.PrintStream out) {
        double total = rows.stream().mapToDouble(Row::ms).sum(), cpuTotal = rows.stream().mapToDouble(Row::cpuMs).sum();
        out.printf(Locale.ROOT, "%-10s %-24s %10s %9s %7s %10s %10s%n", "layer", "primitive (batch " + batch + ")", "ms/call", "GFLOP/s", "share", "cpu ms",
                "min ms");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-10s %-24s %10.3f %9s %6.1f%% %10.3f %10.3f%n", r.layer(), r.op(), r.ms(),
                    Double.isNaN(r.gflops()) ? "" : String.format(Locale.ROOT, "%.1f", r.gflops()), 100 * r.ms() / total, r.cpuMs(), r.minMs());
        }
        out.printf(Locale.ROOT, "%-10s %-24s %10.3f   (sum of primitives: %.0f images/s if nothing else cost time)%n",
                "total", "", total, batch / (total / 1e3));
        out.printf(Locale.ROOT, "%-10s %-24s %10.3f   (calling thread's CPU time; all of it with -Dkiln.cpu.threads=1)%n", "total cpu", "", cpuTotal);
        out.printf(Locale.ROOT, "%-10s %-24s %10.3f   (sum of each primitive's fastest call)%n", "total min", "", rows.stream().mapToDouble(Row::minMs).sum());
    }
}
