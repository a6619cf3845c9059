package dev.kiln.cpu.kernels;

import java.util.List;

/** A set of interchangeable {@link MicroKernel}s (same contract, different tile shapes) and the one to use on this machine. */
public interface KernelFamily {
    /** The tile shape chosen for this machine's vector width (or the one named by {@value MicroKernels#TILE_PROPERTY}). */
    MicroKernel preferred();

    /** Every tile shape of the family, for tests and benchmarks. */
    List<MicroKernel> all();
}
