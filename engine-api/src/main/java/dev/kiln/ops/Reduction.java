package dev.kiln.ops;

/** How a loss combines per-element values: their mean, their sum, or none (per-sample losses). */
public enum Reduction { MEAN, SUM, NONE }
