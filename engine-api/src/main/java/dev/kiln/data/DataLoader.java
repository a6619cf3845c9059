package dev.kiln.data;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;

/**
 * Cuts a {@link Dataset} of images (or a {@link TensorDataset} of named tensors) into batches,
 * epoch by epoch: optionally shuffled (seeded, a different order every epoch), images optionally
 * randomly shifted and normalised, tensor samples combined by a {@link Collate} (stacked, or
 * sequences padded), and prepared ahead of time on a background thread.
 *
 * <p>A hand-written training loop (the {@link dev.kiln.train.Trainer} runs the same loop):
 * {@snippet class=dev.kiln.snippets.TrainingLoopSnippetsTest region=loop}
 *
 * <p>Batch lifetime: each {@link Batch} belongs to its {@link Epoch}, which frees it when the
 * next batch is requested or the epoch ends (or closes); the scope in the loop frees what the
 * step computed. A batch tensor needed after its step must be {@link Tensor#copy() copied}.
 *
 * <p>Determinism: epoch {@code e} draws its order and its shifts from one {@link Generator}
 * seeded with a mix of the loader's seed and {@code e}, consumed in batch order by a single
 * thread, so the batches depend only on (dataset, settings, seed, epoch), never on timing;
 * resuming at epoch {@code e} reproduces it exactly.
 *
 * <p>Pipeline per sample: read ([0, 1] for {@link ImageDataset}), shift (zero fill), then
 * {@code (x - mean) / std}. Host arrays are prepared on the worker thread; tensors are created
 * on the consuming thread in {@code next()}, outside every scope (the epoch owns them).
 */
public final class DataLoader implements AutoCloseable {
    private final Dataset dataset;
    private final TensorDataset tensors;
    private final Collate collate;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int prefetch;
    private final float mean;
    private final float std;
    private final int maxShift;
    private final Backend backend;
    private final Set<Epoch<?>> open = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    private volatile boolean closed;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.tensors = b.tensors;
        this.collate = b.collate;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.mean = b.mean;
        this.std = b.std;
        this.maxShift = b.maxShift;
        this.backend = b.backend;
    }

    /**
     * Starts configuring a loader over {@code dataset}.
     *
     * @param dataset the samples, at least one
     * @return the builder
     * @throws IllegalArgumentException if {@code dataset} is empty
     */
    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /**
     * Starts configuring a loader over a data set of named tensors; its batches keep the fields'
     * names (see {@link Batch#get(String)}), collated by {@link Collate#stack()} unless
     * {@link Builder#collate} chooses another. Image options (shifts, normalisation) do not apply.
     *
     * @param dataset the samples
     * @return the builder
     */
    public static Builder builder(TensorDataset dataset) {
        return new Builder(dataset);
    }

    /**
     * {@return the image dataset this loader reads}
     *
     * @throws IllegalStateException if it reads a {@link TensorDataset} (see {@link #tensorDataset()})
     */
    public Dataset dataset() {
        if (dataset == null) throw new IllegalStateException("DataLoader: this loader reads a TensorDataset; see tensorDataset()");
        return dataset;
    }

    /** {@return the tensor data set this loader reads, or null for an image loader} */
    public TensorDataset tensorDataset() {
        return tensors;
    }

    /** {@return the number of samples of the data set} */
    public int size() {
        return dataset != null ? dataset.size() : tensors.size();
    }

    /** {@return samples per batch (the last batch may be smaller unless drop-last is set)} */
    public int batchSize() {
        return batchSize;
    }

    /** {@return batches in one epoch: {@code ceil(size / batchSize)}, or {@code floor} with drop-last} */
    public int batchesPerEpoch() {
        int n = size();
        return dropLast || n % batchSize == 0 ? n / batchSize : n / batchSize + 1; // not (n + b - 1) / b: that overflows for large b
    }

    /**
     * The batches of epoch {@code epoch} as tensors on the loader's backend (the default backend
     * when none was set). Iterate once; close it (or exhaust it) to stop the prefetch thread.
     *
     * @param epoch the epoch index, from 0; it seeds the order and the shifts
     * @return the epoch's batches
     * @throws IllegalStateException if the loader is closed
     * @throws IllegalArgumentException if {@code epoch < 0}
     */
    public Epoch<Batch> epoch(int epoch) {
        Backend target = backend != null ? backend : Kiln.backend();
        if (tensors != null) return start(epoch, fields -> toBatch(target, fields), Batch::close);
        return start(epoch, hb -> toBatch(target, (HostBatch) hb), Batch::close);
    }

    /**
     * {@return the batches of epoch {@code epoch} as host arrays (no backend needed), same order and content as {@link #epoch}}
     *
     * @param epoch the epoch index, from 0
     * @throws IllegalStateException if this loader reads a {@link TensorDataset}
     */
    public Epoch<HostBatch> hostEpoch(int epoch) {
        if (tensors != null) throw new IllegalStateException("DataLoader: hostEpoch is for image datasets; this loader reads a TensorDataset");
        return start(epoch, hb -> (HostBatch) hb, hb -> {});
    }

    private <T> Epoch<T> start(int epoch, java.util.function.Function<Object, T> convert, java.util.function.Consumer<T> release) {
        if (closed) throw new IllegalStateException("DataLoader: closed");
        if (epoch < 0) throw new IllegalArgumentException("DataLoader: epoch must be >= 0, got " + epoch);
        Epoch<T> e = new Epoch<>(this, epoch, new EpochPlan(epoch), convert, release, prefetch);
        open.add(e);
        e.start();
        return e;
    }

    void finished(Epoch<?> e) {
        open.remove(e);
    }

    /** The batch as tensors owned by the epoch: out of every scope, so a scope opened per step does not matter. */
    private static Batch toBatch(Backend backend, HostBatch hb) {
        Tensor images = Tensor.fromArray(backend, hb.images(), hb.shape()).unscope();
        try {
            return new Batch(images, Tensor.fromInts(backend, hb.labels(), hb.labels().length).unscope());
        } catch (RuntimeException | Error e) {
            images.close();
            throw e;
        }
    }

    /** A tensor batch's collated fields as tensors owned by the epoch (freed together if one cannot be made). */
    private Batch toBatch(Backend backend, Object collated) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, HostTensor> fields = (java.util.Map<String, HostTensor>) collated;
        java.util.Map<String, Tensor> made = new java.util.LinkedHashMap<>();
        try {
            for (java.util.Map.Entry<String, HostTensor> e : fields.entrySet()) made.put(e.getKey(), e.getValue().toTensor(backend).unscope());
            return new Batch(made, fields.containsKey(tensors.target()) ? tensors.target() : null);
        } catch (RuntimeException | Error e) {
            for (Tensor t : made.values()) t.close();
            throw e;
        }
    }

    /** Stops every running prefetch thread; later {@link #epoch} calls fail. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Epoch<?>[] running;
        synchronized (open) {
            running = open.toArray(new Epoch<?>[0]);
        }
        for (Epoch<?> e : running) e.close();
    }

    /** Mixes the seed and the epoch into a generator seed (SplitMix64 finaliser): nearby seeds and epochs give unrelated streams. */
    static long epochSeed(long seed, int epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Produces the host batches of one epoch, strictly in order (its generator is consumed sequentially). */
    final class EpochPlan {
        private final int[] order;
        private final Generator rng;
        private final float[] scratch;

        EpochPlan(int epoch) {
            order = new int[size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            rng = new Generator(epochSeed(seed, epoch));
            if (shuffle) rng.shuffle(order);
            scratch = maxShift > 0 && dataset != null ? new float[dataset.sampleNumel()] : null;
        }

        int count() {
            return batchesPerEpoch();
        }

        /** Batch {@code k}: a {@link HostBatch} of images, or a tensor data set's collated fields. */
        Object make(int k) {
            int start = k * batchSize;
            int b = Math.min(batchSize, order.length - start);
            if (tensors != null) {
                java.util.List<java.util.Map<String, HostTensor>> samples = new java.util.ArrayList<>(b);
                for (int j = 0; j < b; j++) samples.add(tensors.sample(order[start + j]));
                return collate.collate(samples);
            }
            int[] sampleShape = dataset.sampleShape();
            int numel = dataset.sampleNumel();
            float[] images = new float[Math.multiplyExact(b, numel)];
            int[] labels = new int[b];
            for (int j = 0; j < b; j++) {
                int idx = order[start + j];
                dataset.copySample(idx, images, j * numel);
                labels[j] = dataset.label(idx);
                if (maxShift > 0) {
                    int dy = rng.nextInt(2 * maxShift + 1) - maxShift;
                    int dx = rng.nextInt(2 * maxShift + 1) - maxShift;
                    Shifts.shift(images, j * numel, sampleShape, dy, dx, scratch);
                }
            }
            if (mean != 0f || std != 1f) {
                float inv = 1f / std;
                for (int i = 0; i < images.length; i++) images[i] = (images[i] - mean) * inv;
            }
            int[] shape = new int[sampleShape.length + 1];
            shape[0] = b;
            System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
            return new HostBatch(images, labels, shape);
        }
    }

    /** Settings of a {@link DataLoader}; every setter validates its argument. */
    public static final class Builder {
        private final Dataset dataset;
        private final TensorDataset tensors;
        private Collate collate = Collate.stack();
        private int batchSize = 64;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private int prefetch = 2;
        private float mean = 0f;
        private float std = 1f;
        private int maxShift;
        private Backend backend;

        private Builder(TensorDataset tensors) {
            this.dataset = null;
            this.tensors = Objects.requireNonNull(tensors, "dataset");
        }

        private Builder(Dataset dataset) {
            this.tensors = null;
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            // an empty dataset would otherwise surface only as an epoch of no batches (a NaN loss) during training
            if (dataset.size() == 0) throw new IllegalArgumentException("DataLoader: the dataset has no samples (a filter or subset that kept none?)");
        }

        /**
         * Samples per batch (default 64).
         *
         * @param batchSize samples per batch, at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batch size must be >= 1, got " + batchSize);
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Whether each epoch visits the samples in a fresh seeded random order (default false).
         *
         * @param shuffle shuffle every epoch
         * @return this builder
         */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /**
         * Seed of the shuffling and the shifts (default 0).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Whether to drop the last, smaller batch (default false).
         *
         * @param dropLast drop the last batch when it is smaller
         * @return this builder
         */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /**
         * Batches prepared ahead on a background thread (default 2); 0 prepares them on the consumer thread.
         *
         * @param batches batches to prepare ahead, at least 0
         * @return this builder
         */
        public Builder prefetch(int batches) {
            if (batches < 0) throw new IllegalArgumentException("DataLoader: prefetch must be >= 0, got " + batches);
            this.prefetch = batches;
            return this;
        }

        /**
         * Applies {@code (x - mean) / std} to every element after shifting (default: none).
         *
         * @param mean subtracted from every element
         * @param std divides every element after the subtraction, not 0
         * @return this builder
         */
        public Builder normalize(float mean, float std) {
            imagesOnly("normalize");
            if (!Float.isFinite(mean) || !(std > 0f) || !Float.isFinite(std)) {
                throw new IllegalArgumentException("DataLoader: normalize needs a finite mean and a finite std > 0, got mean "
                        + mean + ", std " + std);
            }
            this.mean = mean;
            this.std = std;
            return this;
        }

        /**
         * Translates each sample by a random whole number of pixels in [-k, k] along height and
         * width (independently, seeded), filling uncovered pixels with 0 (before normalising).
         * Needs samples of rank >= 2 ([..., H, W]); 0 (the default) disables it.
         *
         * @param k the largest shift in pixels, at least 0
         * @return this builder
         */
        public Builder randomShift(int k) {
            imagesOnly("randomShift");
            if (k < 0) throw new IllegalArgumentException("DataLoader: random shift must be >= 0 pixels, got " + k);
            int[] s = dataset.sampleShape();
            if (k > 0 && s.length < 2) {
                throw new IllegalArgumentException("DataLoader: random shift needs samples of shape [..., H, W], got " + Arrays.toString(s));
            }
            this.maxShift = k;
            return this;
        }

        /**
         * Backend the batch tensors are created on (default: {@link Kiln#backend()} when an epoch starts).
         *
         * @param backend where the batches are created
         * @return this builder
         */
        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        /**
         * How a tensor data set's samples become a batch (default {@link Collate#stack()}; e.g.
         * {@link Collate#padSequences()} for variable-length sequences).
         *
         * @param collate combines the samples of each batch
         * @return this builder
         * @throws IllegalStateException if the loader reads an image {@link Dataset}
         */
        public Builder collate(Collate collate) {
            if (tensors == null) throw new IllegalStateException("DataLoader: collate applies to a TensorDataset, not to an image dataset");
            this.collate = Objects.requireNonNull(collate, "collate");
            return this;
        }

        private void imagesOnly(String option) {
            if (dataset == null) throw new IllegalStateException("DataLoader: " + option + " applies to image datasets, not to a TensorDataset");
        }

        /** {@return the configured loader} */
        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
