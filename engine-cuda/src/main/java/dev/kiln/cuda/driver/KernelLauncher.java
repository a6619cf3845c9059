package dev.kiln.cuda.driver;

import java.lang.foreign.MemorySegment;

/**
 * Launches kernels of Kiln's fatbin on the backend's compute stream. This is the only way
 * the kernel wrappers ({@code dev.kiln.cuda.kernels}) reach the driver.
 */
public interface KernelLauncher {

    /**
     * Launches {@code kernel} (an {@code extern "C"} name in the fatbin). Each argument is passed
     * by value according to its Java type: {@link Long} = 64-bit integer or device pointer,
     * {@link Integer} = 32-bit int, {@link Float} = 32-bit float, {@link MemorySegment} = the
     * segment's bytes as a struct passed by value (host memory; copied at launch).
     *
     * @throws dev.kiln.cuda.CudaException if the kernel is missing or the launch fails
     */
    void launch(String kernel, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                int sharedBytes, Object... args);

    /**
     * Copies {@code host} into a temporary device buffer and returns its device address. The
     * buffer stays valid for work queued on the compute stream after this call and is recycled
     * (stream-ordered) once that work completes; callers never free it.
     */
    long uploadTemporary(MemorySegment host);

    /** Maximum threads per block of the current device (for launch configuration). */
    default int maxThreadsPerBlock() {
        return 1024;
    }
}
