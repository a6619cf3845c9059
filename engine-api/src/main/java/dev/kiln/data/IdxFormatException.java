package dev.kiln.data;

import java.io.IOException;

/** An IDX file that is damaged or not an IDX file; the message names the file and the problem. */
public final class IdxFormatException extends IOException {
    /**
     * A format error.
     *
     * @param message "file-name: problem"
     */
    public IdxFormatException(String message) {
        super(message);
    }
}
