package dev.kiln.train;

import dev.kiln.Kiln;
import dev.kiln.io.Checkpoint;
import dev.kiln.io.TrainingState;
import dev.kiln.nn.Module;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The checkpoint steps {@link Trainer} and {@link StepTrainer} share: refusing to save a model that
 * holds NaN or infinite values, saving and restoring registered random streams, loading a
 * checkpoint that must carry optimizer state, and checking the trainers' metadata values.
 */
final class ResumeSupport {
    private ResumeSupport() {}

    /**
     * Refuses to save a model with NaN or infinite values over a (good) checkpoint, naming the first such tensor.
     *
     * @param who the trainer's name, starting the message
     */
    static void requireFiniteModel(String who, Module model, long step, Path file) {
        Map<String, Tensor> state = model.stateDict();
        try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
            // x * 0 is 0 for finite x and NaN for NaN or an infinity: one reduction per tensor and one host read in all.
            Tensor total = null;
            for (Tensor t : state.values()) {
                if (t.dtype() != DType.FLOAT32) continue;
                Tensor zero = t.mul(0f).sum();
                total = total == null ? zero : total.add(zero);
            }
            if (total == null || Float.isFinite(total.item())) return;
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                if (e.getValue().dtype() == DType.FLOAT32 && !Float.isFinite(e.getValue().mul(0f).sum().item())) {
                    throw new IllegalStateException(who + ": " + e.getKey() + " holds NaN or infinite values after step " + step
                            + "; not saving " + file + " (the previous checkpoint stays; allowNonfiniteLoss(true) saves anyway)");
                }
            }
        }
    }

    /** Each stream's position, for {@link TrainingState#rngOffsets()}. */
    static Map<String, Long> streamOffsets(Map<String, Generator> streams) {
        Map<String, Long> rng = new LinkedHashMap<>();
        streams.forEach((name, g) -> rng.put(name, g.advance(0)));
        return rng;
    }

    /**
     * Loads a checkpoint into {@code model}, strictly, with its optimizer state, which resuming needs.
     *
     * @throws IOException if the checkpoint cannot be loaded or holds no optimizer state
     */
    static Checkpoint.Loaded load(Path file, Module model) throws IOException {
        Checkpoint.Loaded loaded = Checkpoint.load(file, model.stateDict(), true, model.backend());
        if (loaded.optimizer() == null) {
            loaded.close();
            throw new IOException(file + " holds no optimizer state, so training cannot resume exactly; to start a new run from its "
                    + "weights, load them with SafeTensors.loadInto(file, model.stateDict(), false)");
        }
        return loaded;
    }

    /**
     * Checks that the checkpoint has every registered stream.
     *
     * @throws IllegalArgumentException naming the first missing one
     */
    static void requireStreams(TrainingState pos, Iterable<String> streams) {
        for (String name : streams) {
            if (!pos.rngOffsets().containsKey(name)) throw new IllegalArgumentException("random stream '" + name + "' is missing");
        }
    }

    /**
     * Moves each registered stream forward to its saved position.
     *
     * @throws IOException if a stream has already drawn past it
     */
    static void restoreStreams(Path file, TrainingState pos, Map<String, Generator> streams) throws IOException {
        for (Map.Entry<String, Generator> e : streams.entrySet()) {
            long at = pos.rngOffsets().get(e.getKey()), now = e.getValue().advance(0);
            if (at < now) {
                throw new IOException(file + ": random stream '" + e.getKey() + "' is at " + now + ", past the checkpoint's " + at
                        + "; resume before drawing from it");
            }
            e.getValue().advance(at - now);
        }
    }

    /** A history row's metadata key: zero-padded, so that the keys' sorted order is the rows' order. */
    static String historyKey(String prefix, int index) {
        return prefix + String.format(Locale.ROOT, "%06d", index);
    }

    /** @throws IllegalArgumentException naming the key when {@code v} is outside [min, max] */
    static void inRange(String key, long v, long min, long max) {
        if (v < min || v > max) throw new IllegalArgumentException("metadata kiln.extra." + key + " = " + v + " is out of range (" + min + " to " + max + ")");
    }

    /** @throws IllegalArgumentException naming the key when it is missing */
    static String need(Map<String, String> extra, String key) {
        String v = extra.get(key);
        if (v == null) throw new IllegalArgumentException("metadata kiln.extra." + key + " is missing");
        return v;
    }
}
