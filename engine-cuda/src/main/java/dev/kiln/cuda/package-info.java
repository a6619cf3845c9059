/**
 * The CUDA backend: {@link dev.kiln.cuda.CudaBackendProvider} (service "cuda", rank 100) probes
 * the driver, cuBLAS, cuDNN and Kiln's kernels and starts a {@link dev.kiln.cuda.CudaBackend}
 * on one device, configured by {@link dev.kiln.cuda.CudaOptions} (system properties
 * {@code kiln.cuda.*} or {@code KILN_CUDA_*} variables). Failures of native calls arrive as
 * {@link dev.kiln.cuda.CudaException}s naming the function and status. Device memory comes from
 * a caching allocator: {@link dev.kiln.cuda.CudaBackend#memoryStats()} reports its
 * {@link dev.kiln.cuda.CudaMemoryStats}, and when the device runs out even after the cache is
 * released an allocation throws a {@link dev.kiln.cuda.CudaOutOfMemoryException}.
 *
 * <p>Layers below (not public API): {@code ffi} binds the native libraries through the Foreign
 * Function and Memory API, {@code driver} loads and launches Kiln's kernels (from
 * {@code kiln.fatbin} or compiled by NVRTC), {@code kernels} wraps each kernel as a typed call,
 * and {@code memory} caches device memory and stages host copies through pinned buffers. Only
 * this package is exported from the module {@code dev.kiln.cuda}.
 */
package dev.kiln.cuda;
