package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.cpu.kernels.PanelCopy;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The panel copies GEMM packing uses, in the chosen implementation, against index loops written here. */
class PanelCopyTest {
    /** Panels of 8, 16 and 32 columns from one to {@link PanelCopy#MAX_RUNS} runs at random origins and splits. */
    @Test
    void gatherRunsMatchesAGatherPerElement() {
        Random rnd = new Random(7);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        int[] rowOff = new int[40];
        for (int p = 0; p < rowOff.length; p++) rowOff[p] = p * 37 + rnd.nextInt(5);
        for (int w : new int[] {8, 16, 32}) {
            for (int trial = 0; trial < 300; trial++) {
                int runs = 1 + trial % Math.min(PanelCopy.MAX_RUNS, w);
                // runs distinct first columns in (0, w), sorted, after column 0
                java.util.TreeSet<Integer> cut = new java.util.TreeSet<>();
                while (cut.size() < runs - 1) cut.add(1 + rnd.nextInt(w - 1));
                int[] starts = new int[PanelCopy.MAX_RUNS], origins = new int[PanelCopy.MAX_RUNS];
                int j = 1;
                for (int c : cut) starts[j++] = c;
                for (int r = 0; r < runs; r++) origins[r] = rnd.nextInt(2000);
                int p0 = rnd.nextInt(10), depth = 1 + rnd.nextInt(rowOff.length - p0), at = rnd.nextInt(50);
                float[] expected = new float[at + depth * w + 40], actual = expected.clone();
                for (int p = 0; p < depth; p++) {
                    for (int t = 0, r = 0; t < w; t++) {
                        while (r + 1 < runs && starts[r + 1] <= t) r++;
                        expected[at + p * w + t] = x[origins[r] + rowOff[p0 + p] + t];
                    }
                }
                PanelCopy.get().gatherRuns(x, rowOff, p0, depth, w, origins, starts, runs, actual, at);
                assertArrayEquals(expected, actual, PanelCopy.get().getClass().getSimpleName() + " w=" + w + " runs=" + runs
                        + " starts=" + java.util.Arrays.toString(starts));
            }
        }
    }
}
