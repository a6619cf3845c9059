package dev.kiln.cuda;

/**
 * A failed CUDA, cuBLAS or cuDNN call: names the function, the status name and number, and
 * the op and shapes involved when known.
 */
public class CudaException extends RuntimeException {
    /**
     * The native function that failed, or null.
     */
    private final String function;
    /**
     * The raw status code, 0 when not from a status.
     */
    private final int status;

    /**
     * A failed call with a status code.
     *
     * @param function the native function, e.g. {@code cublasSgemm_v2}
     * @param status the raw status code
     * @param statusName the status's symbolic name, e.g. {@code CUBLAS_STATUS_NOT_SUPPORTED}
     * @param context the op and shapes involved, or null
     */
    public CudaException(String function, int status, String statusName, String context) {
        super(function + " failed: " + statusName + " (" + status + ")" + (context == null || context.isEmpty() ? "" : " in " + context));
        this.function = function;
        this.status = status;
    }

    /**
     * A failure not tied to one status code.
     *
     * @param message what failed and, where known, how to fix it
     */
    public CudaException(String message) {
        super(message);
        this.function = null;
        this.status = 0;
    }

    /** {@return the native function that failed, or null} */
    public String function() {
        return function;
    }

    /** {@return the raw status code (0 when not from a status)} */
    public int status() {
        return status;
    }
}
