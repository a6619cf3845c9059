package dev.kiln.optim;

import dev.kiln.internal.Pin;
import dev.kiln.internal.TensorAccess;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups parameters for the fused optimizer calls: one call per backend and per distinct
 * step-dependent setting (Adam's step count, SGD's first step), each with parallel storage lists.
 * Every storage added is pinned until {@link #close()}, so a parameter closed by another thread
 * meanwhile is not freed (and its memory reused) while the fused update writes it.
 */
final class Batches<K> implements AutoCloseable {
    /** Parallel storage lists of one fused call. */
    static final class Batch {
        final Backend backend;
        final List<List<Storage>> lists;

        Batch(Backend backend, int width) {
            this.backend = backend;
            this.lists = new ArrayList<>();
            for (int i = 0; i < width; i++) lists.add(new ArrayList<>());
        }

        List<Storage> get(int i) {
            return lists.get(i);
        }
    }

    private record Key(Backend backend, Object setting) {}

    private final Map<Key, Batch> batches = new LinkedHashMap<>();
    private final Map<Key, K> settings = new LinkedHashMap<>();
    private final List<Pin> pins = new ArrayList<>();
    private final int width;
    private final String op;

    Batches(int width, String op) {
        this.width = width;
        this.op = op;
    }

    /** Adds one parameter's tensors ({@code width} of them, in order), pinned, to the batch for (backend, setting). */
    void add(Backend backend, K setting, Tensor... tensors) {
        Key key = new Key(backend, setting);
        settings.putIfAbsent(key, setting);
        Batch b = batches.computeIfAbsent(key, k -> new Batch(backend, width));
        for (int i = 0; i < tensors.length; i++) {
            Pin pin = TensorAccess.pin(op, tensors[i]);
            pins.add(pin);
            b.get(i).add(pin.storage());
        }
    }

    /** Releases the pins. */
    @Override
    public void close() {
        for (Pin p : pins) p.close();
        pins.clear();
    }

    /** Runs {@code call} once per batch with its setting. */
    void forEach(java.util.function.BiConsumer<K, Batch> call) {
        for (Map.Entry<Key, Batch> e : batches.entrySet()) call.accept(settings.get(e.getKey()), e.getValue());
    }
}
