/**
 * Scalar CPU kernels, one family per class, over float32 {@link java.lang.foreign.MemorySegment}s.
 * Each kernel splits work on the backend's {@link dev.kiln.cpu.CpuThreadPool} so that results are
 * bit-identical for every pool size: parallel tasks write disjoint outputs, and reductions use a
 * decomposition fixed by the shape alone, combined in a fixed order.
 */
package dev.kiln.cpu.kernels;
