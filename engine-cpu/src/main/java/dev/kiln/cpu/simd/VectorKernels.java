package dev.kiln.cpu.simd;

import dev.kiln.cpu.kernels.KernelFamily;
import dev.kiln.cpu.kernels.MicroKernel;
import dev.kiln.cpu.kernels.MicroKernels;
import java.util.List;
import jdk.incubator.vector.FloatVector;

/**
 * The Vector API micro-kernels. The tile is sized from the preferred species' width, read at
 * run time: with 512-bit vectors (AVX-512, 32 registers) 8 rows by 2 vectors (16 accumulators);
 * with narrower ones (AVX2, 16 registers) 4 rows by 2 vectors, which C2 keeps in registers
 * (6 x 2 spills there). 12 x 2 is a few percent faster once C2 has compiled it, but C1 cannot
 * compile it ("out of virtual registers"), so after any deoptimisation it runs in tier-2 code,
 * two orders of magnitude slower, until C2 gets round to it: measured in docs/benchmarks.md. {@value MicroKernels#TILE_PROPERTY} (e.g. {@code 12x2}) overrides
 * the choice. Public and constructed reflectively by {@link MicroKernels}.
 */
public final class VectorKernels implements KernelFamily {
    private final List<MicroKernel> all = List.of(new VectorTile4x2(), new VectorTile8x2(), new VectorTile12x2(), new VectorTile6x3());

    /** Public for reflective construction. */
    public VectorKernels() {}

    @Override
    public MicroKernel preferred() {
        String wanted = System.getProperty(MicroKernels.TILE_PROPERTY, "");
        for (MicroKernel k : all) {
            if (!wanted.isBlank() && k.name().endsWith(" " + tileName(wanted))) return k;
        }
        int shape = FloatVector.SPECIES_PREFERRED.length() >= 16 ? 1 : 0;
        return all.get(shape);
    }

    /** "8x2" (rows x vectors) as the kernel names it (rows x columns). */
    private static String tileName(String rowsByVectors) {
        String[] p = rowsByVectors.trim().split("x");
        if (p.length != 2) return "?";
        try {
            return Integer.parseInt(p[0]) + "x" + Integer.parseInt(p[1]) * FloatVector.SPECIES_PREFERRED.length();
        } catch (NumberFormatException e) {
            return "?";
        }
    }

    @Override
    public List<MicroKernel> all() {
        return all;
    }
}
