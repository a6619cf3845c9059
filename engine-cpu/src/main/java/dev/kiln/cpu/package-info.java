/**
 * The pure-Java CPU backend: {@link dev.kiln.cpu.CpuBackendProvider} (service "cpu", rank 0),
 * {@link dev.kiln.cpu.CpuBackend}, off-heap {@link dev.kiln.cpu.CpuStorage} and the dedicated
 * {@link dev.kiln.cpu.CpuThreadPool} (size from {@code kiln.cpu.threads}).
 */
package dev.kiln.cpu;
