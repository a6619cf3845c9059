package dev.kiln.cpu.kernels;

/**
 * One GEMM operand as {@link PackedGemm} reads it: {@code element(o, p)} with {@code o} the outer
 * index (a row of A, a column of B) and {@code p} the depth index. Implementations read a dense
 * matrix or gather straight from a tensor (im2col without the column matrix).
 */
public interface Operand {
    /**
     * Packs outer indices {@code [o0, o0 + count)} by depth {@code [p0, p0 + depth)} into panels of
     * {@code w} outer indices: {@code dst[(t / w) * w * depth + p * w + t % w] = element(o0 + t, p0 + p)}.
     * The slots of the last panel past {@code count} are set to 0.
     */
    void pack(int o0, int count, int p0, int depth, int w, float[] dst);
}
