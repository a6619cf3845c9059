/**
 * Vector API kernels: the only package of the backend that imports {@code jdk.incubator.vector}.
 * Loaded reflectively by {@link dev.kiln.cpu.kernels.MicroKernels} after checking the module is in
 * the boot layer; no Vector type appears in any signature outside this package.
 */
package dev.kiln.cpu.simd;
