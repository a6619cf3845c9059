package dev.kiln.nn.lora;

import java.util.List;

/**
 * What {@link Lora#apply} did.
 *
 * @param paths               the dotted paths of the adapted layers, in module order
 * @param trainableParameters elements of the parameters that still require a gradient (the adapters)
 * @param totalParameters     elements of all parameters, adapters included (a shared tensor counted once)
 */
public record LoraAdaptation(List<String> paths, long trainableParameters, long totalParameters) {
    /** Keeps an unmodifiable copy. */
    public LoraAdaptation {
        paths = List.copyOf(paths);
    }

    /** {@return trainable over total parameters, from 0 to 1} */
    public double trainableFraction() {
        return totalParameters == 0 ? 0 : (double) trainableParameters / totalParameters;
    }
}
