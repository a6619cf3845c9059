package dev.kiln.train;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * {@link Metric#accuracy()} and {@link Metric#tokenAccuracy(long)}: the arg-max along dimension 1
 * (on the output's device) compared with integer targets on the host, skipping {@code ignoreIndex}
 * when it is not null.
 */
record ArgmaxAccuracy(String name, Long ignoreIndex) implements Metric {
    @Override
    public Score score(Tensor output, Tensor target) {
        int[] os = output.shape(), ts = target.shape();
        boolean fits = os.length >= 2 && ts.length == os.length - 1 && ts[0] == os[0];
        for (int d = 2; fits && d < os.length; d++) fits = ts[d - 1] == os[d];
        if (!fits || !target.dtype().isInteger()) {
            throw new IllegalArgumentException(name + ": expected an output [N, C] or [N, C, d1, ...] and integer targets [N] or "
                    + "[N, d1, ...], got " + Shape.str(os) + " and " + target.dtype() + " " + Shape.str(ts));
        }
        int[] predicted;
        if (os.length == 2) {
            predicted = output.argmax().toIntArray();
        } else { // classes last, then one row per position: [N, d1, ..., C] -> [N * d1 * ..., C]
            int[] perm = new int[os.length];
            perm[0] = 0;
            for (int d = 2; d < os.length; d++) perm[d - 1] = d;
            perm[os.length - 1] = 1;
            predicted = output.permute(perm).reshape(-1, os[1]).argmax().toIntArray();
        }
        long[] y = target.dtype() == DType.INT64 ? target.toLongArray() : java.util.Arrays.stream(target.toIntArray()).asLongStream().toArray();
        long correct = 0, counted = 0;
        for (int i = 0; i < y.length; i++) {
            if (ignoreIndex != null && y[i] == ignoreIndex) continue;
            counted++;
            if (y[i] == predicted[i]) correct++;
        }
        return new Score(correct, counted);
    }
}

