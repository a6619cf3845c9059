package dev.kiln.cpu;

import static dev.kiln.cpu.KernelHarness.assertClose;
import static dev.kiln.cpu.KernelHarness.random;
import static dev.kiln.cpu.KernelHarness.read;

import dev.kiln.spi.PadSpec;
import dev.kiln.spi.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Zero and circular padding and the adjoint, against index loops written from the definition. */
class Pad2dTest {
    private final KernelHarness h = new KernelHarness();

    @AfterEach
    void close() {
        h.close();
    }

    private void check(PadSpec s) {
        int planes = s.n() * s.c(), oh = s.outH(), ow = s.outW();
        float[] x = random(1, planes * s.h() * s.w()), gy = random(2, planes * oh * ow);
        double[] y = new double[planes * oh * ow], gx = new double[x.length];
        for (int pl = 0; pl < planes; pl++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int si = i - s.top(), sj = j - s.left();
                    if (s.mode() == PadSpec.Mode.CIRCULAR) {
                        si = Math.floorMod(si, s.h());
                        sj = Math.floorMod(sj, s.w());
                    } else if (si < 0 || si >= s.h() || sj < 0 || sj >= s.w()) {
                        continue;
                    }
                    int src = (pl * s.h() + si) * s.w() + sj, dst = (pl * oh + i) * ow + j;
                    y[dst] = x[src];
                    gx[src] += gy[dst];
                }
            }
        }
        Storage ys = h.empty(y.length), gxs = h.empty(x.length);
        h.cpu.pad2d(s, h.store(x), ys);
        assertClose("pad2d " + s, y, read(ys));
        h.cpu.pad2dBackward(s, h.store(gy), gxs);
        assertClose("pad2d backward " + s, gx, read(gxs));
    }

    @Test
    void zeros() {
        check(new PadSpec(2, 3, 4, 5, 1, 2, 0, 3, PadSpec.Mode.ZEROS));
    }

    @Test
    void circularIncludingFullWrap() {
        check(new PadSpec(2, 3, 4, 5, 1, 2, 3, 1, PadSpec.Mode.CIRCULAR));
        check(new PadSpec(1, 2, 3, 2, 3, 3, 2, 2, PadSpec.Mode.CIRCULAR));
    }

    @Test
    void circularValuesByHand() {
        PadSpec s = new PadSpec(1, 1, 1, 3, 0, 0, 2, 1, PadSpec.Mode.CIRCULAR);
        Storage y = h.empty(6);
        h.cpu.pad2d(s, h.store(new float[] {1, 2, 3}), y);
        assertClose("circular pad by hand", new double[] {2, 3, 1, 2, 3, 1}, read(y));
    }
}
