package dev.kiln.io;

import dev.kiln.tensor.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tensors and metadata read from a safetensors file. The tensors are new and the caller's
 * (they were also registered with the scope open when they were read, like any new tensor);
 * {@link #close()} frees them all.
 *
 * @param tensors  by name, sorted
 * @param metadata the {@code __metadata__} strings
 */
public record TensorFile(Map<String, Tensor> tensors, Map<String, String> metadata) implements AutoCloseable {
    /** Keeps unmodifiable copies. */
    public TensorFile {
        tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /** Closes every tensor. */
    @Override
    public void close() {
        for (Tensor t : tensors.values()) t.close();
    }
}
