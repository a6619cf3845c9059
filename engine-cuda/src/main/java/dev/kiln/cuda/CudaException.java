package dev.kiln.cuda;

/**
 * A failed CUDA, cuBLAS or cuDNN call: names the function, the status name and number, and
 * the op and shapes involved when known.
 */
public class CudaException extends RuntimeException {
    private final String function;
    private final int status;

    public CudaException(String function, int status, String statusName, String context) {
        super(function + " failed: " + statusName + " (" + status + ")" + (context == null || context.isEmpty() ? "" : " in " + context));
        this.function = function;
        this.status = status;
    }

    public CudaException(String message) {
        super(message);
        this.function = null;
        this.status = 0;
    }

    /** The native function that failed, or null. */
    public String function() {
        return function;
    }

    /** The raw status code (0 when not from a status). */
    public int status() {
        return status;
    }
}
