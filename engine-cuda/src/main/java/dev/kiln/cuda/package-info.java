/**
 * The CUDA backend: {@link dev.kiln.cuda.CudaBackendProvider} (service "cuda", rank 100) probes
 * the driver, cuBLAS, cuDNN and Kiln's kernels and starts a {@link dev.kiln.cuda.CudaBackend}
 * on one device, configured by {@link dev.kiln.cuda.CudaOptions} (system properties
 * {@code kiln.cuda.*} or {@code KILN_CUDA_*} variables). Failures of native calls arrive as
 * {@link dev.kiln.cuda.CudaException}s naming the function and status.
 *
 * <p>Layers below (not public API): {@code ffi} binds the native libraries through the Foreign
 * Function and Memory API, {@code driver} loads and launches Kiln's kernels (from
 * {@code kiln.fatbin} or compiled by NVRTC), {@code kernels} wraps each kernel as a typed call,
 * and {@link dev.kiln.cuda.memory} caches device memory.
 */
package dev.kiln.cuda;
