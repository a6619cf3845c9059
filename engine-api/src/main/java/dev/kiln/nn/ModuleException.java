package dev.kiln.nn;

/**
 * An invalid-argument error raised inside a layer, labelled with the layer's dotted path and
 * type: {@code features.3 (Conv2d): conv2d: input has 3 channels, ...}. Each enclosing
 * container that forwarded the input prefixes its child's name, so the path grows from the
 * failing leaf up to the module the caller invoked. Still an {@link IllegalArgumentException},
 * so callers catching that type are unaffected.
 */
public final class ModuleException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Dotted path of the failing module, relative to the reporting container.
     */
    private final String path;
    /**
     * Simple class name of the failing module.
     */
    private final String moduleType;
    /**
     * The original message, without the path prefix.
     */
    private final String detail;

    /**
     * An error at {@code path}, wrapping the layer's original exception.
     *
     * @param path       dotted path of the failing module relative to the reporting container
     * @param moduleType simple class name of the failing module
     * @param detail     the original message
     * @param cause      the original exception
     */
    public ModuleException(String path, String moduleType, String detail, Throwable cause) {
        super(path + " (" + moduleType + "): " + detail, cause);
        this.path = path;
        this.moduleType = moduleType;
        this.detail = detail;
    }

    /** {@return dotted path of the failing module, e.g. {@code features.3}} */
    public String path() {
        return path;
    }

    /** {@return simple class name of the failing module, e.g. {@code Conv2d}} */
    public String moduleType() {
        return moduleType;
    }

    /** {@return the message of the original error, without the path prefix} */
    public String detail() {
        return detail;
    }

    /** The same error seen one container further up: {@code prefix.path}. */
    ModuleException under(String prefix) {
        return new ModuleException(prefix + "." + path, moduleType, detail, getCause());
    }
}
