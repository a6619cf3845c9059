package dev.kiln.io;

import java.util.List;

/**
 * What loading a file into existing tensors did.
 *
 * @param loaded     keys copied into the target
 * @param missing    target keys the file does not have (left unchanged)
 * @param unexpected file keys the target does not have (ignored)
 * @param mismatched keys present in both whose shape or dtype differs, each as
 *                   {@code "name: file [10, 64] F32, target [5, 64] F32"} (left unchanged)
 */
public record LoadResult(List<String> loaded, List<String> missing, List<String> unexpected, List<String> mismatched) {
    /** Keeps unmodifiable copies. */
    public LoadResult {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        mismatched = List.copyOf(mismatched);
    }

    /** {@return true when every key matched: nothing missing, unexpected or mismatched} */
    public boolean exact() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    /** "loaded 8, missing [...], unexpected [...], mismatched [...]" (empty parts left out). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("loaded ").append(loaded.size());
        if (!missing.isEmpty()) sb.append(", missing ").append(missing);
        if (!unexpected.isEmpty()) sb.append(", unexpected ").append(unexpected);
        if (!mismatched.isEmpty()) sb.append(", mismatched ").append(mismatched);
        return sb.toString();
    }
}
