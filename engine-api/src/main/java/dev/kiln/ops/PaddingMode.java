package dev.kiln.ops;

/** How a convolution fills cells outside the input: zeros, or wrapping around (circular). */
public enum PaddingMode {
    /** Cells outside the input are 0. */
    ZEROS,
    /** Cells outside the input repeat the opposite edge (PyTorch's {@code padding_mode='circular'}). */
    CIRCULAR
}
