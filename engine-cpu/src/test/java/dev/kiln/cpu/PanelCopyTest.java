package dev.kiln.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.cpu.kernels.PanelCopy;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The panel copies GEMM packing uses, in the chosen implementation, against index loops written here. */
class PanelCopyTest {
    /** Panels of 8, 16 and 32 columns from one, two or three runs at random origins and splits. */
    @Test
    void threeRunsMatchesAGatherPerElement() {
        Random rnd = new Random(7);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        int[] rowOff = new int[40];
        for (int p = 0; p < rowOff.length; p++) rowOff[p] = p * 37 + rnd.nextInt(5);
        for (int w : new int[] {8, 16, 32}) {
            for (int trial = 0; trial < 200; trial++) {
                int s1 = 1 + rnd.nextInt(w), s2 = s1 + rnd.nextInt(w - s1 + 1);
                if (trial % 5 == 0) s1 = s2 = w; // one run
                int o0 = rnd.nextInt(2000), o1 = rnd.nextInt(2000), o2 = rnd.nextInt(2000);
                int p0 = rnd.nextInt(10), depth = 1 + rnd.nextInt(rowOff.length - p0), at = rnd.nextInt(50);
                float[] expected = new float[at + depth * w + 40], actual = expected.clone();
                for (int p = 0; p < depth; p++) {
                    for (int t = 0; t < w; t++) {
                        int origin = t < s1 ? o0 : t < s2 ? o1 : o2;
                        expected[at + p * w + t] = x[origin + rowOff[p0 + p] + t];
                    }
                }
                PanelCopy.get().threeRuns(x, rowOff, p0, depth, w, o0, o1, o2, s1, s2, actual, at);
                assertArrayEquals(expected, actual, PanelCopy.get().getClass().getSimpleName() + " w=" + w + " s1=" + s1 + " s2=" + s2);
            }
        }
    }
}
