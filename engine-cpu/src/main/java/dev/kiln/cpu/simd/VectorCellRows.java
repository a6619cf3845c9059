package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.CellRows;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CellRows} in float lanes of the preferred species. Sigmoid and tanh both come from one
 * logistic form, {@code mul / (1 + e^{-scale x}) + add} (tanh x = 2 sigmoid(2x) - 1), and the
 * exponential is our own: range reduction by {@code ln 2}, a degree-7 polynomial, the power of two
 * built from bits; within a few float ulps. Every step is an IEEE add, multiply, fused
 * multiply-add or division, so compiled and interpreted code give the same bits (the library's
 * {@code VectorOperators.EXP} calls a different implementation once compiled). A hidden size
 * that is not a whole number of vectors runs on {@link CellRows#scalar()} instead, all of it (so
 * the choice depends on the shape alone, never on the split between threads): masked tails made
 * C1 give up on these loops, see below.
 *
 * <p>The work of a row is split into short passes over contiguous elements (gates, state, ...),
 * each a small loop with its computation inline: a helper returning a vector that C2 declines to
 * inline boxes it on the heap, and C1 gives up on a loop body with many live vectors ("out of
 * virtual registers"), leaving the method interpreted or in slow tier-2 code; both made first
 * versions slower than the scalar double code. Public and constructed reflectively by
 * {@link CellRows#get()}.
 */
public final class VectorCellRows implements CellRows {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final long F = Float.BYTES;
    // e^x: x = n ln2 + r, ln2 split as LN2_HI + LN2_LO (LN2_HI exact in few bits); P(r) the Taylor-like polynomial.
    private static final float LOG2E = 1.44269504089f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer (to nearest). */
    private static final float ROUND = 12582912f;
    /** Exponent range kept so that 2^n is a normal float; logistic functions have saturated long before. */
    private static final float EXP_MIN = -87f, EXP_MAX = 88f;

    /** Public for reflective construction. */
    public VectorCellRows() {
        if (IntVector.SPECIES_PREFERRED.length() != S.length()) throw new IllegalStateException("int and float species differ in length");
    }

    @Override
    public void lstm(int hid, MemorySegment xg, MemorySegment hg, MemorySegment cPrev, MemorySegment h, MemorySegment c,
                     MemorySegment act, long r0, long r1) {
        if (hid % S.length() != 0) {
            CellRows.scalar().lstm(hid, xg, hg, cPrev, h, c, act, r0, r1);
            return;
        }
        for (long r = r0; r < r1; r++) {
            long gRow = r * 4 * hid, sRow = r * hid;
            for (int k = 0; k < 4; k++) {
                boolean tanh = k == 2;  // the cell candidate g; i, f, o are sigmoids
                long at = gRow + (long) k * hid;
                logistic(xg, at, hg, at, act, at, hid, tanh ? 2f : 1f, tanh ? 2f : 1f, tanh ? -1f : 0f);
            }
            lstmCellState(hid, act, gRow, cPrev, c, sRow);
            logistic(c, sRow, null, 0, h, sRow, hid, 2f, 2f, -1f);
            multiply(act, gRow + 3L * hid, h, sRow, hid);
        }
    }

    @Override
    public void lstmBackward(int hid, MemorySegment act, MemorySegment cPrev, MemorySegment c, MemorySegment gh, MemorySegment gc,
                             MemorySegment gGates, MemorySegment gcPrev, long r0, long r1) {
        if (hid % S.length() != 0) {
            CellRows.scalar().lstmBackward(hid, act, cPrev, c, gh, gc, gGates, gcPrev, r0, r1);
            return;
        }
        for (long r = r0; r < r1; r++) {
            long gRow = r * 4 * hid, sRow = r * hid;
            logistic(c, sRow, null, 0, gcPrev, sRow, hid, 2f, 2f, -1f);  // tanh(c), until lstmCellGradient replaces it
            lstmOutputGradient(hid, act, gRow, gh, gc, gGates, gcPrev, sRow);
            lstmGateGradients(hid, act, gRow, cPrev, gGates, gcPrev, sRow);
        }
    }

    @Override
    public void gru(int hid, MemorySegment xg, MemorySegment hg, MemorySegment hPrev, MemorySegment h, MemorySegment act, long r0, long r1) {
        if (hid % S.length() != 0) {
            CellRows.scalar().gru(hid, xg, hg, hPrev, h, act, r0, r1);
            return;
        }
        for (long r = r0; r < r1; r++) {
            long gRow = r * 3 * hid, sRow = r * hid, gn = gRow + 2L * hid;
            logistic(xg, gRow, hg, gRow, act, gRow, 2 * hid, 1f, 1f, 0f);  // r and z, side by side
            gruCandidateInput(hid, xg, hg, act, gRow);
            logistic(act, gn, null, 0, act, gn, hid, 2f, 2f, -1f);
            gruState(hid, act, gRow, hPrev, h, sRow);
        }
    }

    @Override
    public void gruBackward(int hid, MemorySegment act, MemorySegment hg, MemorySegment hPrev, MemorySegment gh, MemorySegment gxg,
                            MemorySegment ghg, MemorySegment ghPrev, long r0, long r1) {
        if (hid % S.length() != 0) {
            CellRows.scalar().gruBackward(hid, act, hg, hPrev, gh, gxg, ghg, ghPrev, r0, r1);
            return;
        }
        for (long r = r0; r < r1; r++) {
            long gRow = r * 3 * hid, sRow = r * hid;
            gruUpdateGradients(hid, act, gRow, hPrev, gh, gxg, ghg, ghPrev, sRow);
            gruResetGradients(hid, act, hg, gRow, gxg, ghg);
        }
    }

    @Override
    public String name() {
        return "vector float " + S.length() + " lanes";
    }

    /**
     * {@code out = mul / (1 + e^{-scale x}) + add} with {@code x = a (+ b)} over n elements (element
     * offsets); b may be null. Sigmoid: scale 1, mul 1, add 0; tanh: scale 2, mul 2, add -1.
     */
    private static void logistic(MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment out, long outOff, int n,
                                 float scale, float mul, float add) {
        for (int j = 0; j < n; j += S.length()) {
            FloatVector x = FloatVector.fromMemorySegment(S, a, (aOff + j) * F, NATIVE);
            if (b != null) x = x.add(FloatVector.fromMemorySegment(S, b, (bOff + j) * F, NATIVE));
            FloatVector e = VectorRowOps.clamp(x.mul(-scale), EXP_MIN, EXP_MAX);
            // e^e: n ln2 + r, then P(r) scaled by 2^n, whose bits are n + 127 in the exponent field.
            FloatVector nn = e.fma(LOG2E, ROUND).sub(ROUND);
            FloatVector rr = nn.fma(FloatVector.broadcast(S, -LN2_HI), e);
            rr = nn.fma(FloatVector.broadcast(S, -LN2_LO), rr);
            FloatVector p = rr.fma(P0, P1).fma(rr, FloatVector.broadcast(S, P2)).fma(rr, FloatVector.broadcast(S, P3))
                    .fma(rr, FloatVector.broadcast(S, P4)).fma(rr, FloatVector.broadcast(S, P5));
            FloatVector y = p.fma(rr.mul(rr), rr).add(1f);
            e = y.mul(((IntVector) nn.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector.broadcast(S, mul).div(e.add(1f)).add(add).intoMemorySegment(out, (outOff + j) * F, NATIVE);
        }
    }

    /** {@code y *= x} over n elements. */
    private static void multiply(MemorySegment x, long xOff, MemorySegment y, long yOff, int n) {
        for (int j = 0; j < n; j += S.length()) {
            long at = (yOff + j) * F;
            FloatVector.fromMemorySegment(S, x, (xOff + j) * F, NATIVE).mul(FloatVector.fromMemorySegment(S, y, at, NATIVE))
                    .intoMemorySegment(y, at, NATIVE);
        }
    }

    /** {@code c = f cPrev + i g} for one row. */
    private static void lstmCellState(int hid, MemorySegment act, long gRow, MemorySegment cPrev, MemorySegment c, long sRow) {
        for (int j = 0; j < hid; j += S.length()) {
            long gi = (gRow + j) * F, gate = hid * F, s = (sRow + j) * F;
            FloatVector i = FloatVector.fromMemorySegment(S, act, gi, NATIVE);
            FloatVector f = FloatVector.fromMemorySegment(S, act, gi + gate, NATIVE);
            FloatVector g = FloatVector.fromMemorySegment(S, act, gi + 2 * gate, NATIVE);
            f.mul(FloatVector.fromMemorySegment(S, cPrev, s, NATIVE)).add(i.mul(g)).intoMemorySegment(c, s, NATIVE);
        }
    }

    /**
     * For one row, with {@code tanh(c)} in gcPrev: the output gate's gradient {@code dh tanh(c) o (1 - o)},
     * then gcPrev becomes the gradient reaching c, {@code dc = gc + dh o (1 - tanh(c)^2)}.
     */
    private static void lstmOutputGradient(int hid, MemorySegment act, long gRow, MemorySegment gh, MemorySegment gc,
                                           MemorySegment gGates, MemorySegment dcOut, long sRow) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int j = 0; j < hid; j += S.length()) {
            long go = (gRow + 3L * hid + j) * F, s = (sRow + j) * F;
            FloatVector o = FloatVector.fromMemorySegment(S, act, go, NATIVE);
            FloatVector tc = FloatVector.fromMemorySegment(S, dcOut, s, NATIVE);
            FloatVector dh = FloatVector.fromMemorySegment(S, gh, s, NATIVE);
            dh.mul(tc).mul(o.mul(one.sub(o))).intoMemorySegment(gGates, go, NATIVE);
            FloatVector.fromMemorySegment(S, gc, s, NATIVE).add(dh.mul(o).mul(tc.neg().fma(tc, one))).intoMemorySegment(dcOut, s, NATIVE);
        }
    }

    /** For one row, with dc in gcPrev: the gradients of gates i, f, g, then gcPrev becomes {@code dc f}. */
    private static void lstmGateGradients(int hid, MemorySegment act, long gRow, MemorySegment cPrev, MemorySegment gGates,
                                          MemorySegment gcPrev, long sRow) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int j = 0; j < hid; j += S.length()) {
            long gi = (gRow + j) * F, gate = hid * F, s = (sRow + j) * F;
            FloatVector i = FloatVector.fromMemorySegment(S, act, gi, NATIVE);
            FloatVector f = FloatVector.fromMemorySegment(S, act, gi + gate, NATIVE);
            FloatVector g = FloatVector.fromMemorySegment(S, act, gi + 2 * gate, NATIVE);
            FloatVector dc = FloatVector.fromMemorySegment(S, gcPrev, s, NATIVE);
            dc.mul(g).mul(i.mul(one.sub(i))).intoMemorySegment(gGates, gi, NATIVE);
            dc.mul(FloatVector.fromMemorySegment(S, cPrev, s, NATIVE)).mul(f.mul(one.sub(f))).intoMemorySegment(gGates, gi + gate, NATIVE);
            dc.mul(i).mul(g.neg().fma(g, one)).intoMemorySegment(gGates, gi + 2 * gate, NATIVE);
            dc.mul(f).intoMemorySegment(gcPrev, s, NATIVE);
        }
    }

    /** The candidate's pre-activation {@code xn + r hn} into act's n slot, for one row (r already in act). */
    private static void gruCandidateInput(int hid, MemorySegment xg, MemorySegment hg, MemorySegment act, long gRow) {
        for (int j = 0; j < hid; j += S.length()) {
            long gr = (gRow + j) * F, gn = gr + 2L * hid * F;
            FloatVector.fromMemorySegment(S, act, gr, NATIVE)
                    .fma(FloatVector.fromMemorySegment(S, hg, gn, NATIVE), FloatVector.fromMemorySegment(S, xg, gn, NATIVE))
                    .intoMemorySegment(act, gn, NATIVE);
        }
    }

    /** {@code h = (1 - z) n + z hPrev} for one row. */
    private static void gruState(int hid, MemorySegment act, long gRow, MemorySegment hPrev, MemorySegment h, long sRow) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int j = 0; j < hid; j += S.length()) {
            long gz = (gRow + hid + j) * F, gn = gz + hid * F, s = (sRow + j) * F;
            FloatVector z = FloatVector.fromMemorySegment(S, act, gz, NATIVE);
            FloatVector n = FloatVector.fromMemorySegment(S, act, gn, NATIVE);
            one.sub(z).mul(n).add(z.mul(FloatVector.fromMemorySegment(S, hPrev, s, NATIVE))).intoMemorySegment(h, s, NATIVE);
        }
    }

    /** For one row: the z and n gradients (both projections) and hPrev's pointwise gradient {@code dh z}. */
    private static void gruUpdateGradients(int hid, MemorySegment act, long gRow, MemorySegment hPrev, MemorySegment gh, MemorySegment gxg,
                                           MemorySegment ghg, MemorySegment ghPrev, long sRow) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int j = 0; j < hid; j += S.length()) {
            long gz = (gRow + hid + j) * F, gn = gz + hid * F, s = (sRow + j) * F;
            FloatVector z = FloatVector.fromMemorySegment(S, act, gz, NATIVE);
            FloatVector n = FloatVector.fromMemorySegment(S, act, gn, NATIVE);
            FloatVector dh = FloatVector.fromMemorySegment(S, gh, s, NATIVE);
            FloatVector dz = dh.mul(FloatVector.fromMemorySegment(S, hPrev, s, NATIVE).sub(n)).mul(z.mul(one.sub(z)));
            dz.intoMemorySegment(gxg, gz, NATIVE);
            dz.intoMemorySegment(ghg, gz, NATIVE);
            dh.mul(one.sub(z)).mul(n.neg().fma(n, one)).intoMemorySegment(gxg, gn, NATIVE);
            dh.mul(z).intoMemorySegment(ghPrev, s, NATIVE);
        }
    }

    /** For one row, with dn in gxg's n slot: the r gradients {@code dn hn r (1 - r)} and hg's n gradient {@code dn r}. */
    private static void gruResetGradients(int hid, MemorySegment act, MemorySegment hg, long gRow, MemorySegment gxg, MemorySegment ghg) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int j = 0; j < hid; j += S.length()) {
            long gr = (gRow + j) * F, gn = gr + 2L * hid * F;
            FloatVector rg = FloatVector.fromMemorySegment(S, act, gr, NATIVE);
            FloatVector dn = FloatVector.fromMemorySegment(S, gxg, gn, NATIVE);
            FloatVector dr = dn.mul(FloatVector.fromMemorySegment(S, hg, gn, NATIVE)).mul(rg.mul(one.sub(rg)));
            dr.intoMemorySegment(gxg, gr, NATIVE);
            dr.intoMemorySegment(ghg, gr, NATIVE);
            dn.mul(rg).intoMemorySegment(ghg, gn, NATIVE);
        }
    }
}
