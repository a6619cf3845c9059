package dev.kiln.cpu.kernels;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/** {@link CellRows} one element at a time in double precision: the fallback without the Vector API. */
final class ScalarCellRows implements CellRows {
    @Override
    public void lstm(int hid, MemorySegment xg, MemorySegment hg, MemorySegment cPrev, MemorySegment h, MemorySegment c,
                     MemorySegment act, long r0, long r1) {
        for (long r = r0; r < r1; r++) {
            long gRow = r * 4 * hid, sRow = r * hid;
            for (int j = 0; j < hid; j++) {
                long gi = gRow + j, gf = gi + hid, gg = gf + hid, go = gg + hid;
                double i = sigmoid(sum(xg, hg, gi)), f = sigmoid(sum(xg, hg, gf));
                double g = tanh(sum(xg, hg, gg)), o = sigmoid(sum(xg, hg, go));
                double cNew = f * cPrev.getAtIndex(JAVA_FLOAT, sRow + j) + i * g;
                c.setAtIndex(JAVA_FLOAT, sRow + j, (float) cNew);
                h.setAtIndex(JAVA_FLOAT, sRow + j, (float) (o * tanh(cNew)));
                act.setAtIndex(JAVA_FLOAT, gi, (float) i);
                act.setAtIndex(JAVA_FLOAT, gf, (float) f);
                act.setAtIndex(JAVA_FLOAT, gg, (float) g);
                act.setAtIndex(JAVA_FLOAT, go, (float) o);
            }
        }
    }

    @Override
    public void lstmBackward(int hid, MemorySegment act, MemorySegment cPrev, MemorySegment c, MemorySegment gh, MemorySegment gc,
                             MemorySegment gGates, MemorySegment gcPrev, long r0, long r1) {
        for (long r = r0; r < r1; r++) {
            long gRow = r * 4 * hid, sRow = r * hid;
            for (int j = 0; j < hid; j++) {
                long gi = gRow + j, gf = gi + hid, gg = gf + hid, go = gg + hid, s = sRow + j;
                double i = act.getAtIndex(JAVA_FLOAT, gi), f = act.getAtIndex(JAVA_FLOAT, gf);
                double g = act.getAtIndex(JAVA_FLOAT, gg), o = act.getAtIndex(JAVA_FLOAT, go);
                double tc = tanh(c.getAtIndex(JAVA_FLOAT, s));
                double dh = gh.getAtIndex(JAVA_FLOAT, s);
                double dc = gc.getAtIndex(JAVA_FLOAT, s) + dh * o * (1 - tc * tc);
                gGates.setAtIndex(JAVA_FLOAT, gi, (float) (dc * g * i * (1 - i)));
                gGates.setAtIndex(JAVA_FLOAT, gf, (float) (dc * cPrev.getAtIndex(JAVA_FLOAT, s) * f * (1 - f)));
                gGates.setAtIndex(JAVA_FLOAT, gg, (float) (dc * i * (1 - g * g)));
                gGates.setAtIndex(JAVA_FLOAT, go, (float) (dh * tc * o * (1 - o)));
                gcPrev.setAtIndex(JAVA_FLOAT, s, (float) (dc * f));
            }
        }
    }

    @Override
    public void gru(int hid, MemorySegment xg, MemorySegment hg, MemorySegment hPrev, MemorySegment h, MemorySegment act, long r0, long r1) {
        for (long r = r0; r < r1; r++) {
            long gRow = r * 3 * hid, sRow = r * hid;
            for (int j = 0; j < hid; j++) {
                long gr = gRow + j, gz = gr + hid, gn = gz + hid;
                double rr = sigmoid(sum(xg, hg, gr)), z = sigmoid(sum(xg, hg, gz));
                double n = tanh(xg.getAtIndex(JAVA_FLOAT, gn) + rr * hg.getAtIndex(JAVA_FLOAT, gn));
                h.setAtIndex(JAVA_FLOAT, sRow + j, (float) ((1 - z) * n + z * hPrev.getAtIndex(JAVA_FLOAT, sRow + j)));
                act.setAtIndex(JAVA_FLOAT, gr, (float) rr);
                act.setAtIndex(JAVA_FLOAT, gz, (float) z);
                act.setAtIndex(JAVA_FLOAT, gn, (float) n);
            }
        }
    }

    @Override
    public void gruBackward(int hid, MemorySegment act, MemorySegment hg, MemorySegment hPrev, MemorySegment gh, MemorySegment gxg,
                            MemorySegment ghg, MemorySegment ghPrev, long r0, long r1) {
        for (long r = r0; r < r1; r++) {
            long gRow = r * 3 * hid, sRow = r * hid;
            for (int j = 0; j < hid; j++) {
                long gr = gRow + j, gz = gr + hid, gn = gz + hid, s = sRow + j;
                double rr = act.getAtIndex(JAVA_FLOAT, gr), z = act.getAtIndex(JAVA_FLOAT, gz), n = act.getAtIndex(JAVA_FLOAT, gn);
                double dh = gh.getAtIndex(JAVA_FLOAT, s);
                double dz = dh * (hPrev.getAtIndex(JAVA_FLOAT, s) - n) * z * (1 - z);
                double dn = dh * (1 - z) * (1 - n * n);
                double hn = hg.getAtIndex(JAVA_FLOAT, gn);
                double dr = dn * hn * rr * (1 - rr);
                gxg.setAtIndex(JAVA_FLOAT, gr, (float) dr);
                gxg.setAtIndex(JAVA_FLOAT, gz, (float) dz);
                gxg.setAtIndex(JAVA_FLOAT, gn, (float) dn);
                ghg.setAtIndex(JAVA_FLOAT, gr, (float) dr);
                ghg.setAtIndex(JAVA_FLOAT, gz, (float) dz);
                ghg.setAtIndex(JAVA_FLOAT, gn, (float) (dn * rr));
                ghPrev.setAtIndex(JAVA_FLOAT, s, (float) (dh * z));
            }
        }
    }

    @Override
    public String name() {
        return "scalar double";
    }

    private static double sum(MemorySegment a, MemorySegment b, long i) {
        return (double) a.getAtIndex(JAVA_FLOAT, i) + b.getAtIndex(JAVA_FLOAT, i);
    }

    private static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }

    /** {@code 1 - 2 / (e^{2v} + 1)}: exact limits at both infinities, and Math.exp is an intrinsic. */
    private static double tanh(double v) {
        return 1.0 - 2.0 / (Math.exp(2.0 * v) + 1.0);
    }
}
