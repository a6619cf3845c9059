/**
 * Kiln's CUDA backend, bound to the driver API, cuBLAS, cuDNN 9 and NVRTC through the FFM API.
 *
 * <p>Calling native code is a restricted operation: run with
 * {@code --enable-native-access=dev.kiln.cuda} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path (without it the JDK warns, and
 * under {@code --illegal-native-access=deny} the backend reports itself unavailable with that fix).
 *
 * <p>Exports only {@code dev.kiln.cuda}: the types an application may touch ({@code CudaBackend}
 * for {@code memoryStats()} and {@code emptyCache()}, {@code CudaMemoryStats}, {@code CudaOptions},
 * {@code CudaException}, {@code CudaOutOfMemoryException}) and the service provider; the native
 * bindings, kernel launchers, allocator and other internals stay unexported.
 */
module dev.kiln.cuda {
    requires transitive dev.kiln; // CudaBackend's public methods take and return dev.kiln types
    requires dev.kiln.kernels;

    exports dev.kiln.cuda;

    provides dev.kiln.spi.BackendProvider with dev.kiln.cuda.CudaBackendProvider;
}
