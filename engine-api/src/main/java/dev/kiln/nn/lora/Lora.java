package dev.kiln.nn.lora;

import static dev.kiln.internal.TensorAccess.pin;

import dev.kiln.Kiln;
import dev.kiln.internal.Pin;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.SafeTensorsHeader;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * LoRA fine-tuning of any module tree (PEFT's {@code get_peft_model}, {@code save_pretrained},
 * {@code merge_and_unload}): {@link #apply} swaps target {@link Linear} layers for {@link LoraLinear}s
 * and freezes everything else; {@link #saveAdapters} writes only the adapters, with the base they
 * belong to; {@link #loadAdapters} checks that before loading; {@link #merge} folds the adapters
 * into plain Linear layers for inference.
 *
 * <p>Train only what requires a gradient, e.g. {@code new AdamW(model.trainableParameters(), ...)}
 * (optimizers also skip frozen parameters they are given).
 */
public final class Lora {
    /** The {@code format} metadata value of adapter files. */
    public static final String FORMAT = "kiln-lora";

    private Lora() {}

    /**
     * Adapts every {@link Linear} whose path matches a target of {@code config} (see
     * {@link LoraConfig}), drawing the adapters' {@code A} from a generator seeded with
     * {@code config.seed()} in module order, then freezes every other parameter of {@code model}
     * (the base weights, embeddings, norms) so only adapters train. Build the optimizer afterwards.
     *
     * @param model  the model to adapt in place
     * @param config rank, alpha, dropout, targets and seed
     * @return the adapted paths and the trainable and total parameter counts
     * @throws IllegalArgumentException if a pattern matches no module, or matches one that is not a
     *                                  Linear, is already adapted, or shares its weight with another layer
     *                                  (weight tying); then the model is unchanged
     */
    public static LoraAdaptation apply(Module model, LoraConfig config) {
        Map<String, Module> modules = model.namedModules();
        Set<String> paths = new LinkedHashSet<>();
        for (String pattern : config.targets()) {
            List<String> hits = new ArrayList<>();
            for (Map.Entry<String, Module> e : modules.entrySet()) {
                if (!LoraConfig.matches(pattern, e.getKey())) continue;
                Module m = e.getValue();
                if (m instanceof LoraLinear) throw new IllegalArgumentException("lora: '" + e.getKey() + "' is already adapted");
                if (!(m instanceof Linear)) {
                    throw new IllegalArgumentException("lora: target '" + pattern + "' matches '" + e.getKey() + "' ("
                            + m.getClass().getSimpleName() + "), expected a Linear");
                }
                hits.add(e.getKey());
            }
            if (hits.isEmpty()) {
                throw new IllegalArgumentException("lora: target '" + pattern + "' matches no module (Linear layers: " + linearPaths(modules) + ")");
            }
            paths.addAll(hits);
        }
        Map<Tensor, Integer> owners = ownerCounts(modules);
        List<String> ordered = new ArrayList<>();
        for (String path : modules.keySet()) {
            if (!paths.contains(path)) continue;
            if (owners.get(((Linear) modules.get(path)).weight()) > 1) {
                throw new IllegalArgumentException("lora: '" + path + "' shares its weight with another layer (tied); LoRA needs its own weight");
            }
            ordered.add(path);
        }
        Generator generator = new Generator(config.seed());
        model.requiresGrad(false);
        for (String path : ordered) {
            Linear base = (Linear) modules.get(path);
            LoraLinear adapted = new LoraLinear(base, config.rank(), config.alpha(), config.dropout(), generator);
            model.replace(path, adapted); // the base's tensors now belong to the adapted layer
        }
        long trainable = 0, total = 0;
        for (Tensor p : model.namedParameters().values()) {
            total += p.numel();
            if (p.requiresGrad()) trainable += p.numel();
        }
        return new LoraAdaptation(ordered, trainable, total);
    }

    /** Each parameter tensor and the number of (module, own name) pairs that hold it: more than one means tied. */
    private static Map<Tensor, Integer> ownerCounts(Map<String, Module> modules) {
        Map<Tensor, Integer> counts = new IdentityHashMap<>();
        Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Module m : modules.values()) {
            if (!seen.add(m)) continue;
            for (Map.Entry<String, Tensor> p : m.namedParameters().entrySet()) {
                if (p.getKey().indexOf('.') < 0) counts.merge(p.getValue(), 1, Integer::sum); // own parameters have no dot
            }
        }
        return counts;
    }

    private static List<String> linearPaths(Map<String, Module> modules) {
        List<String> out = new ArrayList<>();
        modules.forEach((path, m) -> { if (m instanceof Linear) out.add(path); });
        return out;
    }

    /**
     * The adapted layers of {@code model} by dotted path, in module order.
     *
     * @param model a model
     * @return the {@link LoraLinear} layers (empty when none)
     */
    public static Map<String, LoraLinear> adapters(Module model) {
        Map<String, LoraLinear> out = new LinkedHashMap<>();
        model.namedModules().forEach((path, m) -> { if (m instanceof LoraLinear l) out.put(path, l); });
        return out;
    }

    /**
     * The adapter tensors only: {@code <path>.lora_A.weight} and {@code <path>.lora_B.weight} for each
     * adapted layer (the live tensors: do not close them).
     *
     * @param model an adapted model
     * @return the adapter tensors by name, in module order
     * @throws IllegalArgumentException if the model has no adapters
     */
    public static Map<String, Tensor> adapterState(Module model) {
        Map<String, LoraLinear> adapters = requireAdapters(model, "adapterState");
        Map<String, Tensor> out = new LinkedHashMap<>();
        adapters.forEach((path, l) -> {
            out.put(path + ".lora_A.weight", l.loraA());
            out.put(path + ".lora_B.weight", l.loraB());
        });
        return out;
    }

    private static Map<String, LoraLinear> requireAdapters(Module model, String op) {
        Map<String, LoraLinear> adapters = adapters(model);
        if (adapters.isEmpty()) throw new IllegalArgumentException("lora " + op + ": the model has no LoRA adapters (call Lora.apply first)");
        return adapters;
    }

    /**
     * A SHA-256 of the model's parameters other than the adapters: names, dtypes, shapes and values,
     * in name order. Adapting a model does not change it (the base keeps its names and tensors), so
     * it identifies the base an adapter file was trained on. Copies every parameter to the host once.
     *
     * @param model a plain or adapted model
     * @return 64 lowercase hex digits
     */
    public static String baseFingerprint(Module model) {
        Set<Tensor> adapterTensors = Collections.newSetFromMap(new IdentityHashMap<>());
        for (LoraLinear l : adapters(model).values()) {
            adapterTensors.add(l.loraA());
            adapterTensors.add(l.loraB());
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("lora: SHA-256 unavailable", e); // every JDK has it
        }
        for (Map.Entry<String, Tensor> e : new TreeMap<>(model.namedParameters()).entrySet()) {
            Tensor t = e.getValue();
            if (adapterTensors.contains(t)) continue;
            sha.update((e.getKey() + "\u0000" + t.dtype() + java.util.Arrays.toString(t.shape()) + "\u0000").getBytes(StandardCharsets.UTF_8));
            sha.update(bytes(t));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The tensor's values as little-endian bytes. */
    private static ByteBuffer bytes(Tensor t) {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.numel() * t.dtype().byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case FLOAT32 -> { for (float v : t.toFloatArray()) b.putFloat(v); }
            case INT32 -> { for (int v : t.toIntArray()) b.putInt(v); }
            case INT64 -> { for (long v : t.toLongArray()) b.putLong(v); }
            case BOOL -> { for (boolean v : t.toBooleanArray()) b.put((byte) (v ? 1 : 0)); }
        }
        return b.flip();
    }

    /**
     * Writes the adapters alone (see {@link #adapterState}) to a safetensors file whose metadata
     * names the base: {@code format} ({@value #FORMAT}), {@code base} ({@code baseDescription}),
     * {@code base_sha256} ({@link #baseFingerprint}), {@code rank}, {@code alpha}, {@code dropout}
     * and {@code targets} (the adapted paths, comma-separated). Atomic, as {@link SafeTensors#write}.
     *
     * @param model           an adapted model
     * @param file            where to write
     * @param baseDescription what the base is, for people (e.g. the checkpoint's file name)
     * @throws IllegalArgumentException if the model has no adapters, or they differ in rank, alpha or dropout
     * @throws IOException              if writing fails
     */
    public static void saveAdapters(Module model, Path file, String baseDescription) throws IOException {
        Map<String, LoraLinear> adapters = requireAdapters(model, "saveAdapters");
        LoraLinear first = adapters.values().iterator().next();
        for (Map.Entry<String, LoraLinear> e : adapters.entrySet()) {
            LoraLinear l = e.getValue();
            if (l.rank() != first.rank() || l.alpha() != first.alpha() || l.dropout() != first.dropout()) {
                throw new IllegalArgumentException("lora saveAdapters: '" + e.getKey() + "' has r=" + l.rank() + ", alpha=" + l.alpha()
                        + ", dropout=" + l.dropout() + ", others r=" + first.rank() + ", alpha=" + first.alpha() + ", dropout=" + first.dropout()
                        + "; one file holds adapters of one configuration");
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("base", baseDescription);
        meta.put("base_sha256", baseFingerprint(model));
        meta.put("rank", Integer.toString(first.rank()));
        meta.put("alpha", Double.toString(first.alpha()));
        meta.put("dropout", Float.toString(first.dropout()));
        meta.put("targets", String.join(",", adapters.keySet()));
        SafeTensors.write(file, adapterState(model), meta);
    }

    /**
     * Reads the metadata of an adapter file, e.g. to rebuild the adapted model
     * ({@code Lora.apply(model, Lora.readInfo(file).config())}) before {@link #loadAdapters}.
     *
     * @param file an adapter file from {@link #saveAdapters}
     * @return its metadata
     * @throws IllegalArgumentException if it is not an adapter file or its metadata is incomplete
     * @throws IOException              if it cannot be read or is not a safetensors file
     */
    public static AdapterInfo readInfo(Path file) throws IOException {
        Map<String, String> m = SafeTensorsHeader.read(file).metadata();
        String name = String.valueOf(file.getFileName());
        if (!FORMAT.equals(m.get("format"))) {
            throw new IllegalArgumentException("lora: " + name + " is not a LoRA adapter file (metadata format '" + m.get("format")
                    + "', expected '" + FORMAT + "')");
        }
        for (String key : List.of("base", "base_sha256", "rank", "alpha", "dropout", "targets")) {
            if (m.get(key) == null) throw new IllegalArgumentException("lora: " + name + " has no '" + key + "' metadata");
        }
        try {
            return new AdapterInfo(m.get("base"), m.get("base_sha256"), Integer.parseInt(m.get("rank")), Double.parseDouble(m.get("alpha")),
                    Float.parseFloat(m.get("dropout")), List.of(m.get("targets").split(",")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("lora: " + name + " has a malformed rank, alpha or dropout: " + e.getMessage(), e);
        }
    }

    /**
     * {@link #loadAdapters(Module, Path, boolean)} requiring the same base.
     *
     * @param model an adapted model
     * @param file  an adapter file from {@link #saveAdapters}
     * @return the file's metadata
     * @throws IllegalArgumentException as {@link #loadAdapters(Module, Path, boolean)}
     * @throws IOException              if the file cannot be read or is damaged
     */
    public static AdapterInfo loadAdapters(Module model, Path file) throws IOException {
        return loadAdapters(model, file, true);
    }

    /**
     * Loads adapters saved by {@link #saveAdapters} into an adapted model after checking the file
     * against it: the adapted paths, rank and alpha must be the model's, and (when
     * {@code requireSameBase}) the model's {@link #baseFingerprint} must be the one the adapters were
     * trained on. With {@code requireSameBase} false a different base is accepted: compare
     * {@link AdapterInfo#baseSha256()} with {@link #baseFingerprint} to warn. Nothing is loaded when a
     * check fails.
     *
     * @param model           an adapted model ({@link #apply} with {@link AdapterInfo#config()})
     * @param file            an adapter file
     * @param requireSameBase whether a different base is an error
     * @return the file's metadata
     * @throws IllegalArgumentException if a check fails, naming what differs
     * @throws IOException              if the file cannot be read, is damaged, or a tensor's shape differs
     *                                  ({@link dev.kiln.io.StateMismatchException})
     */
    public static AdapterInfo loadAdapters(Module model, Path file, boolean requireSameBase) throws IOException {
        AdapterInfo info = readInfo(file);
        Map<String, LoraLinear> adapters = requireAdapters(model, "loadAdapters");
        String name = String.valueOf(file.getFileName());
        if (!info.paths().equals(List.copyOf(adapters.keySet()))) {
            throw new IllegalArgumentException("lora: " + name + " adapts " + info.paths() + ", the model " + adapters.keySet());
        }
        for (Map.Entry<String, LoraLinear> e : adapters.entrySet()) {
            LoraLinear l = e.getValue();
            if (l.rank() != info.rank() || l.alpha() != info.alpha()) {
                throw new IllegalArgumentException("lora: " + name + " has r=" + info.rank() + ", alpha=" + info.alpha() + ", the model's '"
                        + e.getKey() + "' r=" + l.rank() + ", alpha=" + l.alpha());
            }
        }
        if (requireSameBase) {
            String actual = baseFingerprint(model);
            if (!actual.equals(info.baseSha256())) {
                throw new IllegalArgumentException("lora: " + name + " was trained on base '" + info.base() + "' (sha256 "
                        + abbreviate(info.baseSha256()) + "), this model's base weights hash to " + abbreviate(actual)
                        + "; load that base first, or pass requireSameBase=false");
            }
        }
        SafeTensors.loadInto(file, adapterState(model), true);
        return info;
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "..." : sha;
    }

    /**
     * Replaces each {@link LoraLinear} by a plain {@link Linear} whose weight is
     * {@code W + (alpha / r) B A} (computed on the layer's device) and whose bias is the base's, for
     * inference without the adapters' extra work. The new layers keep the base weight's
     * requires-grad flag; the adapted layers are closed. Build any optimizer again afterwards.
     *
     * @param model an adapted model
     * @return the merged paths, in module order
     * @throws IllegalArgumentException if the model has no adapters
     */
    public static List<String> merge(Module model) {
        Map<String, LoraLinear> adapters = requireAdapters(model, "merge");
        for (Map.Entry<String, LoraLinear> e : adapters.entrySet()) {
            LoraLinear l = e.getValue();
            Tensor w = l.weight(), b = l.bias();
            Linear plain = new Linear(l.inFeatures(), l.outFeatures(), b != null, new Generator(0), w.backend());
            try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
                Tensor merged = w.add(l.loraB().matmul(l.loraA()).mul((float) l.scaling()));
                copy(merged, plain.weight());
                if (b != null) copy(b, plain.bias());
            }
            plain.requiresGrad(w.requiresGrad());
            model.replace(e.getKey(), plain);
            l.close();
        }
        return List.copyOf(adapters.keySet());
    }

    /** Device-local copy of {@code src}'s values into {@code dst} (same shape, both contiguous). */
    private static void copy(Tensor src, Tensor dst) {
        try (Pin s = pin("lora merge", src); Pin d = pin("lora merge", dst)) {
            d.storage().backend().copy(s.storage(), d.storage());
        }
    }
}
