package dev.kiln.bench;

import dev.kiln.spi.Backend;
import dev.kiln.spi.MatmulSpec;
import dev.kiln.spi.RnnCellSpec;
import dev.kiln.spi.Storage;
import dev.kiln.spi.StridedCopySpec;
import dev.kiln.tensor.DType;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./kiln bench lstm-profile}: every backend primitive of one step of the seq-MNIST LSTM's
 * scan (batch B, hidden 128, 28 steps) timed alone with the step's shapes, in microseconds per
 * call. Each call is timed on its own and the 10th percentile of many calls is reported, which
 * keeps a loaded machine's preemptions (a call that lost its core) out of the figure. The
 * products over the whole sequence are divided by the 28 steps so that every row reads as a
 * per-step cost.
 */
final class LstmProfile {
    private static final int STEPS = 28, HIDDEN = 128, INPUT = 28;

    private LstmProfile() {}

    /** Times each primitive ({@code calls} timed calls after as many untimed ones); prints the table. */
    static void run(Backend be, int batch, int calls, PrintStream out) {
        int b = batch, h = HIDDEN, g = 4 * HIDDEN, t = STEPS;
        List<Storage> owned = new ArrayList<>();
        java.util.function.LongFunction<Storage> alloc = n -> {
            Storage s = be.allocate(DType.FLOAT32, n);
            be.fill(s, 0.01f);
            owned.add(s);
            return s;
        };
        Storage hs = alloc.apply((long) b * h), w = alloc.apply((long) g * h), hg = alloc.apply((long) b * g);
        Storage xg = alloc.apply((long) t * b * g), bias = alloc.apply(g), c = alloc.apply((long) b * h), c2 = alloc.apply((long) b * h);
        Storage h2 = alloc.apply((long) b * h), act = alloc.apply((long) b * g), gW = alloc.apply((long) g * h), gX = alloc.apply((long) b * g);
        Storage next = alloc.apply((long) b * h), all = alloc.apply((long) t * b * h), x = alloc.apply((long) t * b * INPUT);
        Storage wih = alloc.apply((long) g * INPUT);
        RnnCellSpec spec = new RnnCellSpec(b, h);
        int[] gates = {b, g};
        Map<String, Runnable> ops = new LinkedHashMap<>();
        ops.put("fwd: xg slot -> hg (strided copy)", () -> be.stridedCopy(StridedCopySpec.gather(gates, 3L * b * g, new long[] {g, 1}), xg, hg));
        ops.put("fwd: hg += h W_hh^T  [B,128]x[128,512]", () -> be.matmul(new MatmulSpec(1, b, g, h, false, true, false, false, true), hs, w, hg));
        ops.put("fwd: lstmCell", () -> be.lstmCell(spec, xg, hg, c, h2, c2, act));
        ops.put("fwd: h -> output slot (strided copy)", () -> be.stridedCopy(StridedCopySpec.scatter(new int[] {b, h}, 3L * b * h, new long[] {h, 1}), h2, all));
        ops.put("bwd: lstmCellBackward", () -> be.lstmCellBackward(spec, act, c, c2, hs, c2, gX, next));
        ops.put("bwd: carry += gG W_hh  [B,512]x[512,128]", () -> be.matmul(new MatmulSpec(1, b, h, g, false, false, false, false, true), gX, w, next));
        ops.put("bwd: gW_hh = gG^T H  [512,T*B]x[T*B,128] /28", () -> be.matmul(new MatmulSpec(1, g, h, t * b, true, false, false, false, false), xg, all, gW));
        ops.put("fwd: xg = x W_ih^T  [T*B,28]x[28,512] /28", () -> be.matmul(new MatmulSpec(1, t * b, g, INPUT, false, true, false, false, false), x, wih, xg));
        out.printf(Locale.ROOT, "%-46s %10s   (batch %d, %s; 10th percentile of %d calls)%n", "primitive", "us/step", b, be.description(), calls);
        for (Map.Entry<String, Runnable> e : ops.entrySet()) {
            boolean whole = e.getKey().endsWith("/28");
            int n = whole ? Math.max(20, calls / t) : calls;
            double us = percentile10(e.getValue(), n);
            out.printf(Locale.ROOT, "%-46s %10.1f%n", e.getKey(), whole ? us / t : us);
        }
        for (Storage s : owned) s.close();
    }

    private static double percentile10(Runnable r, int calls) {
        for (int i = 0; i < calls; i++) r.run();
        double[] us = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            r.run();
            us[i] = (System.nanoTime() - t0) / 1e3;
        }
        Arrays.sort(us);
        return us[calls / 10];
    }
}
