package dev.kiln.spi;

/**
 * Layer or RMS normalisation of each row of a contiguous {@code [rows, cols]} view: the input's
 * leading dimensions flattened into rows, the normalised trailing dimensions into columns.
 * Layer norm: {@code y = (x - mean) * invStd * weight + bias} with the biased variance
 * {@code mean((x - mean)^2)}. RMS norm ({@code rms}): the mean is taken as 0, so
 * {@code invStd = 1/sqrt(mean(x^2) + eps)} and {@code y = x * invStd * weight}, with no bias.
 *
 * @param rows rows (products of the leading dimensions), at least 0
 * @param cols elements per row (product of the normalised shape), at least 1
 * @param eps  added to the variance (mean square) before the square root, at least 0
 * @param rms  true for RMS norm, false for layer norm
 */
public record LayerNormSpec(int rows, int cols, float eps, boolean rms) {
    /**
     * Checks the view and {@code eps}.
     *
     * @throws IllegalArgumentException if {@code rows < 0}, {@code cols < 1}, or {@code eps} is
     *     negative or not finite
     */
    public LayerNormSpec {
        if (rows < 0 || cols < 1) throw new IllegalArgumentException(op(rms) + ": invalid view [" + rows + ", " + cols + "]");
        if (!(eps >= 0) || Float.isInfinite(eps)) throw new IllegalArgumentException(op(rms) + ": eps must be finite and >= 0, got " + eps);
    }

    /** {@return {@code "rms_norm"} or {@code "layer_norm"}, the op's name in messages} */
    public String op() {
        return op(rms);
    }

    /** {@return elements of the input, {@code rows * cols}} */
    public long numel() {
        return (long) rows * cols;
    }

    private static String op(boolean rms) {
        return rms ? "rms_norm" : "layer_norm";
    }
}
