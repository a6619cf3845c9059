package dev.kiln.ops;

/** How a loss combines per-element values: their mean, their sum, or none (per-sample losses). */
public enum Reduction {
    /** The mean over all elements: a scalar. */
    MEAN,
    /** The sum over all elements: a scalar. */
    SUM,
    /** No reduction: one value per sample (or per element). */
    NONE
}
