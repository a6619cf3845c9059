package dev.kiln.io;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where training stands, saved in a checkpoint's metadata so that a run resumes exactly.
 *
 * @param epoch      epochs completed
 * @param step       optimizer steps taken
 * @param rngOffsets positions of named random streams (a {@link dev.kiln.tensor.Generator}'s
 *                   position is {@code generator.advance(0)}; restore with {@code new Generator(seed).advance(offset)})
 * @param extra      any other strings the trainer wants back (seed, learning-rate schedule state, ...)
 */
public record TrainingState(int epoch, long step, Map<String, Long> rngOffsets, Map<String, String> extra) {
    /** Validates and keeps sorted unmodifiable copies. */
    public TrainingState {
        if (epoch < 0 || step < 0) throw new IllegalArgumentException("TrainingState: epoch and step must be >= 0, got " + epoch + ", " + step);
        rngOffsets = Collections.unmodifiableMap(new TreeMap<>(rngOffsets));
        extra = Collections.unmodifiableMap(new TreeMap<>(extra));
    }

    /**
     * Epoch and step only.
     *
     * @param epoch epochs completed, at least 0
     * @param step optimizer steps taken, at least 0
     */
    public TrainingState(int epoch, long step) {
        this(epoch, step, Map.of(), Map.of());
    }
}
