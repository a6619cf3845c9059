package dev.kiln.spi;

/** Elementwise binary functions with NumPy broadcasting. */
public enum BinaryOp { ADD, SUB, MUL, DIV }
