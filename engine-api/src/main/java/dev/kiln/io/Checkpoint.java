package dev.kiln.io;

import dev.kiln.internal.Excerpt;
import dev.kiln.optim.OptimizerState;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Training checkpoints as safetensors files.
 *
 * <p>Layout (chosen so that the weights file is a plain state dict that PyTorch loads with
 * {@code load_state_dict(load_file(path))}, strictly, and vice versa):
 * <ul>
 *   <li>{@code NAME.safetensors}: the model's tensors under their dotted names; the training
 *       position in {@code __metadata__} as {@code kiln.epoch}, {@code kiln.step},
 *       {@code kiln.rng.<stream>} and {@code kiln.extra.<key>}; {@code kiln.save_id}, a fresh id
 *       per save; and {@code kiln.optimizer}, the optimizer file's name, when there is one.</li>
 *   <li>{@code NAME.optim.<save id>.safetensors}: the optimizer's tensors under the keys of
 *       {@link OptimizerState} ({@code 3.exp_avg}), its scalars in {@code __metadata__} as
 *       {@code kiln.optim.<key>} (Java's shortest round-tripping decimal form), and the same
 *       {@code kiln.save_id}. Checkpoints written before save ids were part of the name use
 *       {@code NAME.optim.safetensors}; they load as before.</li>
 * </ul>
 *
 * <p>Crash safety: a save writes the optimizer file under its new, unique name and forces it to
 * disk, then writes the weights to a temporary file and renames it over {@code NAME.safetensors}.
 * That rename is the single commit point: before it, {@code NAME.safetensors} still names the
 * previous save's optimizer file, which is still there; after it, the new pair is complete. Only
 * then is the superseded optimizer file deleted. So a crash (or {@code kill -9}) at any moment
 * leaves either the previous complete save or the new one, never a mixed pair. What a crashed
 * save leaves behind (a temporary {@code .NAME.safetensors.<number>.tmp}, an unreferenced
 * optimizer file) is deleted by the next save to the same checkpoint; a load never deletes
 * anything, so loading while another process saves is safe (a load that loses the race with a
 * save retries). Files of the forms above beside {@code NAME.safetensors} belong to it: keep one
 * writer per checkpoint, and copy or rename the weights and the optimizer file it names together.
 *
 * <p>Loading trusts nothing in the files: the optimizer file named in the metadata must be a
 * plain name in the weights file's folder (after following a symbolic link to the weights) and a
 * regular file there, not a symbolic link; every tensor's shape and dtype are checked against the model before anything is
 * allocated; metadata numbers are range-checked, with errors naming the file, key and value.
 */
public final class Checkpoint {
    private static final String EPOCH = "kiln.epoch", STEP = "kiln.step", RNG = "kiln.rng.", EXTRA = "kiln.extra.";
    private static final String SAVE_ID = "kiln.save_id", OPTIMIZER = "kiln.optimizer", OPTIM_SCALAR = "kiln.optim.";
    /** Optimizer state may hold at most this many times the model's bytes (Adam holds two, SGD with momentum one). */
    private static final int MAX_STATE_PER_MODEL_BYTE = 4;
    /** Largest optimizer step count accepted: steps are stored as doubles, exact up to 2^53. */
    private static final double MAX_OPTIMIZER_STEP = 0x1p53;
    /** Loads that find their optimizer file superseded by a concurrent save try again this often. */
    private static final int LOAD_ATTEMPTS = 3;
    /** Runs just before a load opens the optimizer file: lets a test make a save win the race there. */
    static volatile Consumer<Path> beforeOptimizerOpen = p -> { };

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
     * The optimizer file that checkpoint {@code modelFile} names (beside the file a symbolic link
     * {@code modelFile} points to), or null when it has none.
     *
     * @param modelFile the checkpoint's weights file
     * @return the optimizer file's path, or null
     * @throws SafeTensorsFormatException if {@code modelFile} is damaged or names no plain file
     * @throws IOException                if it cannot be read
     */
    public static Path optimizerFile(Path modelFile) throws IOException {
        Path weights = modelFile.toRealPath();
        SafeTensorsHeader header = SafeTensorsHeader.read(weights);
        String name = header.metadata().get(OPTIMIZER);
        return name == null ? null : weights.resolveSibling(CheckpointFiles.plainName(header.file(), OPTIMIZER, name));
    }

    /**
     * Saves the model's tensors, the optimizer state (if not null) and the training position, as
     * one atomic step (see the class comment), and deletes what earlier crashed or superseded
     * saves of this checkpoint left behind. A symbolic link {@code file} keeps pointing at the new
     * weights (the optimizer file goes beside them); an existing {@code file} that is not a regular
     * file is refused.
     *
     * @param file      the weights file, {@code NAME.safetensors}
     * @param model     the model's tensors by name (its state dict)
     * @param optimizer the optimizer state, or null for none
     * @param position  the training position
     * @throws IOException if writing fails; the previous complete save is then still in place
     */
    public static void save(Path file, Map<String, Tensor> model, OptimizerState optimizer, TrainingState position) throws IOException {
        Path weights = AtomicFile.requireReplaceable(file);
        String weightsName = weights.getFileName().toString();
        removeLeftovers(weights);
        String id = UUID.randomUUID().toString();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(EPOCH, Integer.toString(position.epoch()));
        meta.put(STEP, Long.toString(position.step()));
        position.rngOffsets().forEach((k, v) -> meta.put(RNG + k, Long.toString(v)));
        position.extra().forEach((k, v) -> meta.put(EXTRA + k, v));
        meta.put(SAVE_ID, id);
        String optName = null;
        if (optimizer != null) {
            optName = CheckpointFiles.optimizerName(weightsName, id);
            Map<String, String> optMeta = new LinkedHashMap<>();
            optimizer.scalars().forEach((k, v) -> optMeta.put(OPTIM_SCALAR + k, Double.toString(v)));
            optMeta.put(SAVE_ID, id);
            SafeTensors.writeNew(weights.resolveSibling(optName), optimizer.tensors(), optMeta);
            meta.put(OPTIMIZER, optName);
        }
        try {
            SafeTensors.write(weights, model, meta); // the commit point
        } catch (IOException | RuntimeException e) {
            if (optName != null) Files.deleteIfExists(weights.resolveSibling(optName));
            throw e;
        }
        CheckpointFiles.removeLeftovers(weights, optName, true);
    }

    /**
     * Before a save: removes temporary files, and optimizer files the current weights do not name
     * (all of them when there are no weights yet; none when the weights cannot be read, to be safe).
     */
    private static void removeLeftovers(Path weights) {
        String keep = null;
        boolean known = true;
        if (Files.exists(weights)) {
            try {
                keep = SafeTensorsHeader.read(weights).metadata().get(OPTIMIZER);
            } catch (IOException e) {
                known = false;
            }
        }
        CheckpointFiles.removeLeftovers(weights, keep, known);
    }

    /**
     * Loads the model's tensors into {@code model} (see {@link SafeTensors#loadInto} for
     * {@code strict}), reads the training position, and the optimizer state onto {@code backend}
     * when the checkpoint has one. Shapes are checked before anything is allocated: the model's
     * against {@code model}, and every optimizer tensor must be F32 and shaped like one of
     * {@code model}'s tensors, with at most 4 times the model's bytes in all. If the optimizer
     * state is refused or the load fails, {@code model} is left unchanged.
     *
     * @param file    the weights file (a symbolic link to it is followed)
     * @param model   the tensors to load into, by name
     * @param strict  whether every key, shape and dtype must match
     * @param backend where the optimizer state's tensors are created
     * @return what was loaded; close it to free the optimizer state
     * @throws NoSuchFileException        if there is no checkpoint (no save ever completed), or
     *                                    the optimizer file it names is missing
     * @throws SafeTensorsFormatException if a file is damaged or truncated, its metadata unreadable
     *                                    or out of range, the optimizer file not a plain file name in
     *                                    the folder, a symbolic link or not a regular file, or from
     *                                    another save
     * @throws StateMismatchException     in strict mode when the file and the model differ
     * @throws IOException if a file cannot be read
     */
    public static Loaded load(Path file, Map<String, Tensor> model, boolean strict, Backend backend) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Loaded l = loadOnce(file, model, strict, backend, attempt == LOAD_ATTEMPTS);
            if (l != null) return l;
        }
    }

    /** One load; null when a concurrent save replaced the checkpoint meanwhile (and {@code last} is false). */
    private static Loaded loadOnce(Path file, Map<String, Tensor> model, boolean strict, Backend backend, boolean last) throws IOException {
        Path weights;
        try {
            weights = file.toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no checkpoint here (none was saved, or no save completed)");
        }
        String name = String.valueOf(file.getFileName());
        try (FileChannel ch = SafeTensorsHeader.openRegular(weights)) {
            SafeTensorsHeader header = SafeTensorsHeader.read(ch, name);
            Map<String, String> meta = header.metadata();
            TrainingState position = position(name, meta);
            LoadResult match = SafeTensors.match(header, model);
            if (strict && !match.exact()) {
                throw new StateMismatchException(name, new LoadResult(List.of(), match.missing(), match.unexpected(), match.mismatched()));
            }
            OptimizerState optimizer = null;
            if (meta.containsKey(OPTIMIZER)) {
                optimizer = readOptimizer(file, weights, header, model, backend, last);
                if (optimizer == null) return null;
            }
            try {
                SafeTensors.copyMatching(ch, header, match, model);
                return new Loaded(match, position, optimizer);
            } catch (IOException | RuntimeException e) {
                if (optimizer != null) for (Tensor t : optimizer.tensors().values()) t.close();
                throw e;
            }
        }
    }

    /** Reads and checks the optimizer file {@code header} names; null when it is gone because a concurrent save replaced the weights. */
    private static OptimizerState readOptimizer(Path file, Path weights, SafeTensorsHeader header, Map<String, Tensor> model, Backend backend,
                                                boolean last) throws IOException {
        String name = header.file();
        String id = header.metadata().get(SAVE_ID);
        if (id == null) {
            throw new SafeTensorsFormatException(name + ": metadata " + SAVE_ID + " is missing, so the optimizer file cannot be paired with it");
        }
        String optName = CheckpointFiles.plainName(name, OPTIMIZER, header.metadata().get(OPTIMIZER));
        Path optFile = weights.resolveSibling(optName);
        FileChannel opened;
        try { // no exists() check first: a concurrent save may delete the file between a check and the open
            beforeOptimizerOpen.accept(optFile);
            opened = openOptimizer(name, weights, optFile);
        } catch (NoSuchFileException e) {
            if (!last && !id.equals(currentSaveId(weights))) return null;
            throw new NoSuchFileException(optFile.toString(), null, name + " names optimizer state " + optName
                    + ", which does not exist; copy it along with the checkpoint, or load the weights alone with SafeTensors.loadInto");
        }
        try (FileChannel ch = opened) {
            SafeTensorsHeader opt = SafeTensorsHeader.read(ch, optName);
            String optId = opt.metadata().get(SAVE_ID);
            if (optId == null) throw new SafeTensorsFormatException(optName + ": metadata " + SAVE_ID + " is missing");
            if (!id.equals(optId)) {
                throw new SafeTensorsFormatException(optName + " was written by a different save than " + name
                        + " (interrupted save?); resume from an earlier checkpoint or load the weights alone with SafeTensors.loadInto");
            }
            checkShapes(opt, model);
            Map<String, Double> scalars = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : opt.metadata().entrySet()) {
                if (!e.getKey().startsWith(OPTIM_SCALAR)) continue;
                String key = e.getKey().substring(OPTIM_SCALAR.length());
                scalars.put(key, scalar(optName, e.getKey(), e.getValue(), key.endsWith(".step")));
            }
            return new OptimizerState(SafeTensors.readAll(ch, opt, backend), scalars);
        }
    }

    /**
     * Opens the optimizer file, which must be a regular file in the weights' folder itself: a
     * symbolic link (which could lead anywhere) is refused, and the link is not followed by the open.
     *
     * @throws NoSuchFileException        if it does not exist
     * @throws SafeTensorsFormatException if it is a symbolic link, outside the weights' folder or not a regular file
     */
    private static FileChannel openOptimizer(String weightsName, Path weights, Path optFile) throws IOException {
        String refused = weightsName + ": optimizer file " + Excerpt.of(String.valueOf(optFile.getFileName()));
        if (Files.readAttributes(optFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isSymbolicLink()) {
            throw new SafeTensorsFormatException(refused + " is a symbolic link; it must be a regular file in the checkpoint's folder");
        }
        if (!weights.getParent().equals(optFile.toRealPath().getParent())) {
            throw new SafeTensorsFormatException(refused + " is not in the checkpoint's folder " + weights.getParent());
        }
        return SafeTensorsHeader.openRegular(optFile, LinkOption.NOFOLLOW_LINKS);
    }

    /** The save id the weights file has now, or null if it cannot be read. */
    private static String currentSaveId(Path weights) {
        try {
            return SafeTensorsHeader.read(weights).metadata().get(SAVE_ID);
        } catch (IOException e) {
            return null;
        }
    }

    /** Optimizer state is per parameter: every tensor F32 and shaped like a model tensor, and not more than a few times the model in all. */
    private static void checkShapes(SafeTensorsHeader opt, Map<String, Tensor> model) throws SafeTensorsFormatException {
        Set<String> shapes = new HashSet<>();
        long modelBytes = 0;
        for (Tensor t : model.values()) {
            shapes.add(Arrays.toString(t.shape()));
            modelBytes += t.numel() * t.dtype().byteSize();
        }
        long total = 0;
        for (TensorInfo t : opt.tensors().values()) {
            String where = opt.file() + ": tensor '" + Excerpt.of(t.name()) + "'";
            if (!t.dtype().equals("F32")) throw new SafeTensorsFormatException(where + " has dtype " + t.dtype() + "; optimizer state is F32");
            String shape = Arrays.toString(t.shape());
            if (!shapes.contains(shape)) {
                throw new SafeTensorsFormatException(where + " has shape " + Excerpt.of(shape)
                        + ", which no model tensor has (optimizer state is shaped like the parameters)");
            }
            total += t.byteSize();
        }
        if (total > MAX_STATE_PER_MODEL_BYTE * modelBytes) {
            throw new SafeTensorsFormatException(opt.file() + ": optimizer state of " + total + " bytes is more than " + MAX_STATE_PER_MODEL_BYTE
                    + " times the model's " + modelBytes + " bytes");
        }
    }

    private static TrainingState position(String file, Map<String, String> meta) throws SafeTensorsFormatException {
        int epoch = (int) integer(file, EPOCH, meta.getOrDefault(EPOCH, "0"), Integer.MAX_VALUE);
        long step = integer(file, STEP, meta.getOrDefault(STEP, "0"), Long.MAX_VALUE);
        Map<String, Long> rng = new LinkedHashMap<>();
        Map<String, String> extra = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : meta.entrySet()) {
            if (e.getKey().startsWith(RNG)) rng.put(e.getKey().substring(RNG.length()), integer(file, e.getKey(), e.getValue(), Long.MAX_VALUE));
            if (e.getKey().startsWith(EXTRA)) extra.put(e.getKey().substring(EXTRA.length()), e.getValue());
        }
        return new TrainingState(epoch, step, rng, extra);
    }

    /** An integer from 0 to {@code max}. */
    private static long integer(String file, String key, String value, long max) throws SafeTensorsFormatException {
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new SafeTensorsFormatException(file + ": metadata " + Excerpt.of(key) + " = \"" + Excerpt.of(value) + "\" is not a valid integer");
        }
        if (v < 0 || v > max) {
            throw new SafeTensorsFormatException(file + ": metadata " + Excerpt.of(key) + " = " + v + " is out of range (0 to " + max + ")");
        }
        return v;
    }

    /** A finite number; a step count must also be a whole number from 0 to 2^53. */
    private static double scalar(String file, String key, String value, boolean step) throws SafeTensorsFormatException {
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new SafeTensorsFormatException(file + ": metadata " + Excerpt.of(key) + " = \"" + Excerpt.of(value) + "\" is not a number");
        }
        if (!Double.isFinite(v)) throw new SafeTensorsFormatException(file + ": metadata " + Excerpt.of(key) + " = " + v + " is not finite");
        if (step && (v < 0 || v > MAX_OPTIMIZER_STEP || v != Math.rint(v))) {
            throw new SafeTensorsFormatException(file + ": metadata " + Excerpt.of(key) + " = " + Excerpt.of(value)
                    + " is not a whole step count from 0 to 2^53");
        }
        return v;
    }
}
