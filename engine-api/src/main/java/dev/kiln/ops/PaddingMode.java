package dev.kiln.ops;

/** How a convolution fills cells outside the input: zeros, or wrapping around (circular). */
public enum PaddingMode { ZEROS, CIRCULAR }
