package dev.kiln.ops;

import static dev.kiln.internal.TensorAccess.empty;
import static dev.kiln.internal.TensorAccess.pin;
import static dev.kiln.internal.TensorAccess.storage;

import dev.kiln.autograd.Autograd;
import dev.kiln.internal.Pin;
import dev.kiln.spi.Backend;
import dev.kiln.spi.LayerNormSpec;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;

/**
 * Layer norm and RMS norm over the trailing {@code normalizedShape} dimensions, on the fused SPI
 * primitives {@link Backend#layerNorm} and {@link Backend#layerNormBackward}: the input is seen
 * as {@code [rows, cols]} with {@code cols} the product of the normalised shape, so any rank works
 * without a copy (every tensor is contiguous).
 */
final class LayerNormalization {
    private LayerNormalization() {}

    /** PyTorch's {@code layer_norm} ({@code rms == false}, bias allowed) or {@code rms_norm} ({@code bias} must be null). */
    static Tensor normalize(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps, boolean rms) {
        String op = rms ? "rms_norm" : "layer_norm";
        Checks.notNull(op, x, "input");
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException(op + ": normalized_shape must have at least one dimension, got "
                    + (normalizedShape == null ? "null" : "[]"));
        }
        for (int d : normalizedShape) {
            if (d < 1) throw new IllegalArgumentException(op + ": normalized_shape sizes must be >= 1, got " + Shape.str(normalizedShape));
        }
        Checks.floats(op, x, weight, bias);
        Checks.sameDevice(op, x, weight, bias);
        int[] xs = x.shape();
        int k = normalizedShape.length;
        if (xs.length < k || !Arrays.equals(Arrays.copyOfRange(xs, xs.length - k, xs.length), normalizedShape)) {
            throw new IllegalArgumentException(op + ": expected input with shape [*, " + Shape.str(normalizedShape).substring(1)
                    + " (normalized_shape " + Shape.str(normalizedShape) + "), got " + Shape.str(xs));
        }
        checkParameter(op, "weight", weight, normalizedShape);
        checkParameter(op, "bias", bias, normalizedShape);
        int cols = Math.toIntExact(Shape.numel(normalizedShape));
        int rows = Math.toIntExact(Shape.numel(xs) / cols);
        LayerNormSpec spec = new LayerNormSpec(rows, cols, eps, rms);
        Backend backend = x.backend();
        Tensor y = empty(backend, xs);
        Tensor mean = empty(backend, rows);
        Tensor invStd = empty(backend, rows);
        try (Pin px = pin(op, x); Pin pw = weight == null ? null : pin(op, weight); Pin pb = bias == null ? null : pin(op, bias)) {
            backend.layerNorm(spec, px.storage(), pw == null ? null : pw.storage(), pb == null ? null : pb.storage(), storage(y),
                    storage(mean), storage(invStd));
        }
        if (!Autograd.needsGrad(x, weight, bias)) {
            mean.close();
            invStd.close();
            return y;
        }
        Tensor[] inputs = rms ? new Tensor[] {x, weight} : new Tensor[] {x, weight, bias};
        Autograd.record(op, y, inputs, g -> {
            Tensor gx = x.requiresGrad() ? empty(backend, xs) : null;
            Tensor gw = weight != null && weight.requiresGrad() ? empty(backend, cols) : null;
            Tensor gb = bias != null && bias.requiresGrad() ? empty(backend, cols) : null;
            try (Pin px = pin(op, x); Pin pw = weight == null ? null : pin(op, weight)) {
                backend.layerNormBackward(spec, px.storage(), pw == null ? null : pw.storage(), storage(g), storage(mean),
                        storage(invStd), gx == null ? null : storage(gx), gw == null ? null : storage(gw), gb == null ? null : storage(gb));
            }
            Tensor gwShaped = gw == null ? null : reshapeUnrecorded(gw, normalizedShape);
            Tensor gbShaped = gb == null ? null : reshapeUnrecorded(gb, normalizedShape);
            return rms ? new Tensor[] {gx, gwShaped} : new Tensor[] {gx, gwShaped, gbShaped};
        });
        return y;
    }

    /** The parameter's own shape for its gradient: a view of the flat {@code [cols]} result (closing the flat handle). */
    private static Tensor reshapeUnrecorded(Tensor flat, int[] shape) {
        if (shape.length == 1) return flat;
        Tensor view = flat.reshape(shape);
        flat.close();
        return view;
    }

    private static void checkParameter(String op, String name, Tensor t, int[] normalizedShape) {
        if (t != null && !Arrays.equals(t.shape(), normalizedShape)) {
            throw new IllegalArgumentException(op + ": " + name + " has shape " + Shape.str(t.shape()) + ", expected "
                    + Shape.str(normalizedShape) + " (normalized_shape)");
        }
    }
}
