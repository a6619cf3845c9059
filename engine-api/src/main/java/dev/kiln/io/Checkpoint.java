package dev.kiln.io;

import dev.kiln.optim.OptimizerState;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Training checkpoints as safetensors files.
 *
 * <p>Layout (chosen so that the weights file is a plain state dict that PyTorch loads with
 * {@code load_state_dict(load_file(path))}, strictly, and vice versa):
 * <ul>
 *   <li>{@code NAME.safetensors}: the model's tensors under their dotted names; the training
 *       position in {@code __metadata__} as {@code kiln.epoch}, {@code kiln.step},
 *       {@code kiln.rng.<stream>} and {@code kiln.extra.<key>}; {@code kiln.save_id}, a fresh id
 *       per save; and {@code kiln.optimizer}, the companion file's name, when there is one.</li>
 *   <li>{@code NAME.optim.safetensors}: the optimizer's tensors under the keys of
 *       {@link OptimizerState} ({@code 3.exp_avg}), its scalars in {@code __metadata__} as
 *       {@code kiln.optim.<key>} (Java's shortest round-tripping decimal form), and the same
 *       {@code kiln.save_id}.</li>
 * </ul>
 * Each file is written atomically, the optimizer file first. A crash between the two writes
 * leaves a new optimizer file beside the old weights; the differing save ids reveal it on load,
 * which then refuses to resume from a mixed pair.
 */
public final class Checkpoint {
    private static final String EPOCH = "kiln.epoch", STEP = "kiln.step", RNG = "kiln.rng.", EXTRA = "kiln.extra.";
    private static final String SAVE_ID = "kiln.save_id", OPTIMIZER = "kiln.optimizer", OPTIM_SCALAR = "kiln.optim.";

    private Checkpoint() {}

    /**
     * What {@link #load} restored.
     *
     * @param model     how the model's tensors were matched
     * @param position  the training position saved with them
     * @param optimizer the optimizer state (new tensors, the caller's to close via {@link #close()}),
     *                  or null when the checkpoint has none
     */
    public record Loaded(LoadResult model, TrainingState position, OptimizerState optimizer) implements AutoCloseable {
        /** Closes the optimizer state's tensors (after {@code Optimizer.loadState} has copied them). */
        @Override
        public void close() {
            if (optimizer != null) for (Tensor t : optimizer.tensors().values()) t.close();
        }
    }

    /**
     * {@return {@code dir/NAME.optim.safetensors} for {@code dir/NAME.safetensors} (or {@code dir/FILE.optim.safetensors} for another suffix)}
     *
     * @param modelFile the checkpoint's weights file
     */
    public static Path optimizerFile(Path modelFile) {
        String name = modelFile.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return modelFile.resolveSibling(stem + ".optim.safetensors");
    }

    /**
     * Saves the model's tensors, the optimizer state (if not null) and the training position.
     *
     * @param file the weights file to write
     * @param model the model's tensors by name ({@code model.stateDict()})
     * @param optimizer the optimizer's state, or null to save the weights only
     * @param position the training position, written to the metadata
     * @throws IOException if writing fails; each file is then either the old or the new version
     */
    public static void save(Path file, Map<String, Tensor> model, OptimizerState optimizer, TrainingState position) throws IOException {
        String id = UUID.randomUUID().toString();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(EPOCH, Integer.toString(position.epoch()));
        meta.put(STEP, Long.toString(position.step()));
        position.rngOffsets().forEach((k, v) -> meta.put(RNG + k, Long.toString(v)));
        position.extra().forEach((k, v) -> meta.put(EXTRA + k, v));
        meta.put(SAVE_ID, id);
        if (optimizer != null) {
            Path optFile = optimizerFile(file);
            Map<String, String> optMeta = new LinkedHashMap<>();
            optimizer.scalars().forEach((k, v) -> optMeta.put(OPTIM_SCALAR + k, Double.toString(v)));
            optMeta.put(SAVE_ID, id);
            SafeTensors.write(optFile, optimizer.tensors(), optMeta);
            meta.put(OPTIMIZER, optFile.getFileName().toString());
        }
        SafeTensors.write(file, model, meta);
    }

    /**
     * Loads the model's tensors into {@code model} (see {@link SafeTensors#loadInto} for
     * {@code strict}), reads the training position, and the optimizer state onto {@code backend}
     * when the checkpoint has one.
     *
     * @param file the weights file
     * @param model the live tensors to fill ({@code model.stateDict()})
     * @param strict require an exact match of keys, shapes and dtypes
     * @param backend where the optimizer state's tensors are created
     * @return what was loaded: the model comparison, the position and the optimizer state (or null); close it
     * @throws SafeTensorsFormatException if a file is damaged, its metadata unreadable, or the
     *     optimizer file is missing or from another save
     * @throws StateMismatchException     in strict mode when the file and the model differ
     * @throws IOException if a file cannot be read
     */
    public static Loaded load(Path file, Map<String, Tensor> model, boolean strict, Backend backend) throws IOException {
        SafeTensorsHeader header = SafeTensorsHeader.read(file);
        Map<String, String> meta = header.metadata();
        TrainingState position = position(header.file(), meta);
        OptimizerState optimizer = null;
        if (meta.containsKey(OPTIMIZER)) {
            Path optFile = file.resolveSibling(meta.get(OPTIMIZER));
            if (!Files.exists(optFile)) {
                throw new NoSuchFileException(optFile.toString(), null, header.file() + " names optimizer state " + optFile.getFileName()
                        + ", which does not exist; copy it along with the checkpoint, or load the weights alone with SafeTensors.loadInto");
            }
            TensorFile opt = SafeTensors.read(optFile, backend);
            try {
                if (!meta.get(SAVE_ID).equals(opt.metadata().get(SAVE_ID))) {
                    throw new SafeTensorsFormatException(optFile.getFileName() + " was written by a different save than " + header.file()
                            + " (interrupted save?); resume from an earlier checkpoint or load the weights alone with SafeTensors.loadInto");
                }
                Map<String, Double> scalars = new LinkedHashMap<>();
                for (Map.Entry<String, String> e : opt.metadata().entrySet()) {
                    if (!e.getKey().startsWith(OPTIM_SCALAR)) continue;
                    scalars.put(e.getKey().substring(OPTIM_SCALAR.length()), number(optFile.getFileName().toString(), e.getKey(), e.getValue()));
                }
                optimizer = new OptimizerState(opt.tensors(), scalars);
            } catch (IOException | RuntimeException e) {
                opt.close();
                throw e;
            }
        }
        try {
            LoadResult result = SafeTensors.loadInto(file, model, strict);
            return new Loaded(result, position, optimizer);
        } catch (IOException | RuntimeException e) {
            if (optimizer != null) for (Tensor t : optimizer.tensors().values()) t.close();
            throw e;
        }
    }

    private static TrainingState position(String file, Map<String, String> meta) throws SafeTensorsFormatException {
        int epoch = (int) integer(file, EPOCH, meta.getOrDefault(EPOCH, "0"));
        long step = integer(file, STEP, meta.getOrDefault(STEP, "0"));
        Map<String, Long> rng = new LinkedHashMap<>();
        Map<String, String> extra = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (e.getKey().startsWith(RNG)) rng.put(e.getKey().substring(RNG.length()), integer(file, e.getKey(), e.getValue()));
            if (e.getKey().startsWith(EXTRA)) extra.put(e.getKey().substring(EXTRA.length()), e.getValue());
        }
        try {
            return new TrainingState(epoch, step, rng, extra);
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsFormatException(file + ": bad training position in metadata: " + e.getMessage());
        }
    }

    private static long integer(String file, String key, String value) throws SafeTensorsFormatException {
        try {
            long v = Long.parseLong(value);
            if (key.equals(EPOCH) && (v < 0 || v > Integer.MAX_VALUE)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new SafeTensorsFormatException(file + ": metadata " + key + " = \"" + value + "\" is not a valid integer");
        }
    }

    private static double number(String file, String key, String value) throws SafeTensorsFormatException {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new SafeTensorsFormatException(file + ": metadata " + key + " = \"" + value + "\" is not a number");
        }
    }
}
