package dev.kiln.io;

import java.io.IOException;

/**
 * A safetensors file that is damaged, hostile, or uses something Kiln does not support; the
 * message names the file, the tensor where there is one, and the problem.
 */
public final class SafeTensorsFormatException extends IOException {
    /**
     * A format error.
     *
     * @param message "file-name: problem"
     */
    public SafeTensorsFormatException(String message) {
        super(message);
    }
}
