package dev.kiln.optim;

import dev.kiln.spi.Backend;
import dev.kiln.spi.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups parameters for the fused optimizer calls: one call per backend and per distinct
 * step-dependent setting (Adam's step count, SGD's first step), each with parallel storage lists.
 */
final class Batches<K> {
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
    private final int width;

    Batches(int width) {
        this.width = width;
    }

    /** Adds one parameter's storages ({@code width} of them, in order) to the batch for (backend, setting). */
    void add(Backend backend, K setting, Storage... storages) {
        Key key = new Key(backend, setting);
        settings.putIfAbsent(key, setting);
        Batch b = batches.computeIfAbsent(key, k -> new Batch(backend, width));
        for (int i = 0; i < storages.length; i++) b.get(i).add(storages[i]);
    }

    /** Runs {@code call} once per batch with its setting. */
    void forEach(java.util.function.BiConsumer<K, Batch> call) {
        for (Map.Entry<Key, Batch> e : batches.entrySet()) call.accept(settings.get(e.getKey()), e.getValue());
    }
}
