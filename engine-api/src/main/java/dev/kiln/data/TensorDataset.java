package dev.kiln.data;

import dev.kiln.tensor.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A data set of several named tensors per sample, as PyTorch's {@code TensorDataset} generalised:
 * model inputs (one or several: token ids, features, masks) and at most one target (class indices,
 * per-position targets, or float values). A field is either stacked ({@code [N, ...]}, sample
 * {@code i} is its slice {@code i}) or given per sample (a list of N host tensors whose shapes may
 * differ, such as variable-length sequences, which a {@link Collate#padSequences padding collate}
 * then pads). A {@link DataLoader} built over it yields {@link Batch}es whose fields keep these
 * names and order. Read-only after {@link Builder#build()}, so safe for the loader's worker thread.
 *
 * {@snippet :
 * TensorDataset copy = TensorDataset.builder()
 *         .input("tokens", HostTensor.sequences(new long[] {3, 1, 4}, new long[] {1, 5}))
 *         .target("targets", HostTensor.sequences(new long[] {3, 1, 4}, new long[] {1, 5}))
 *         .build();
 * }
 */
public final class TensorDataset {
    private final Map<String, Field> fields;
    private final String target;
    private final int size;

    /** One field: stacked along dimension 0, or one tensor per sample. */
    private record Field(HostTensor stacked, List<HostTensor> samples) {
        int size() {
            return stacked != null ? stacked.size(0) : samples.size();
        }

        HostTensor sample(int i) {
            return stacked != null ? stacked.row(i) : samples.get(i);
        }
    }

    private TensorDataset(Builder b) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(b.fields));
        this.target = b.target;
        this.size = b.size;
    }

    /**
     * Positional fields named {@code "0"}, {@code "1"}, ..., as {@code TensorDataset(x, y)}: each
     * tensor is stacked {@code [N, ...]} with the same N, and the last one is the target.
     *
     * @param tensors the fields, at least one; the last is the target
     * @return the data set
     * @throws IllegalArgumentException if none is given, a tensor is a scalar, or the first sizes differ
     */
    public static TensorDataset of(HostTensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("TensorDataset: at least one tensor is needed");
        Builder b = builder();
        for (int i = 0; i < tensors.length - 1; i++) b.input(Integer.toString(i), tensors[i]);
        return b.target(Integer.toString(tensors.length - 1), tensors[tensors.length - 1]).build();
    }

    /** {@return a builder adding fields in order} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the number of samples} */
    public int size() {
        return size;
    }

    /** {@return the field names in order, target included} */
    public List<String> names() {
        return List.copyOf(fields.keySet());
    }

    /** {@return the target field's name, or null when the data set has no target} */
    public String target() {
        return target;
    }

    /**
     * Sample {@code index}: each field's tensor, in field order (stacked fields are copied out).
     *
     * @param index the sample, in [0, size())
     * @return the sample's fields by name
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     */
    public Map<String, HostTensor> sample(int index) {
        Objects.checkIndex(index, size);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        fields.forEach((name, f) -> out.put(name, f.sample(index)));
        return out;
    }

    /** Adds fields in order; every field must have the same number of samples. */
    public static final class Builder {
        private final Map<String, Field> fields = new LinkedHashMap<>();
        private String target;
        private int size = -1;

        private Builder() {}

        /**
         * Adds a stacked input field {@code [N, ...]}.
         *
         * @param name the field's name, unique
         * @param stacked the values of all samples, sample i being slice i along dimension 0
         * @return this builder
         * @throws IllegalArgumentException if the name is taken, the tensor is a scalar, or N differs from other fields
         */
        public Builder input(String name, HostTensor stacked) {
            return add(name, stacked(name, stacked), false);
        }

        /**
         * Adds an input field given per sample (shapes may differ, e.g. sequences of different lengths).
         *
         * @param name the field's name, unique
         * @param samples one tensor per sample
         * @return this builder
         * @throws IllegalArgumentException if the name is taken or the count differs from other fields
         */
        public Builder input(String name, List<HostTensor> samples) {
            return add(name, perSample(name, samples), false);
        }

        /**
         * Adds the stacked target field {@code [N, ...]} (class indices {@code [N]}, per-position targets, values).
         *
         * @param name the field's name, unique
         * @param stacked the targets of all samples
         * @return this builder
         * @throws IllegalArgumentException if a target was already added, the name is taken or N differs
         */
        public Builder target(String name, HostTensor stacked) {
            return add(name, stacked(name, stacked), true);
        }

        /**
         * Adds the target field given per sample (e.g. per-position targets of variable-length sequences).
         *
         * @param name the field's name, unique
         * @param samples one tensor per sample
         * @return this builder
         * @throws IllegalArgumentException if a target was already added, the name is taken or the count differs
         */
        public Builder target(String name, List<HostTensor> samples) {
            return add(name, perSample(name, samples), true);
        }

        private static Field stacked(String name, HostTensor t) {
            Objects.requireNonNull(t, name);
            if (t.rank() == 0) throw new IllegalArgumentException("TensorDataset: field '" + name + "' is a scalar; expected [N, ...]");
            return new Field(t, null);
        }

        private static Field perSample(String name, List<HostTensor> samples) {
            List<HostTensor> copy = List.copyOf(samples);
            for (int i = 1; i < copy.size(); i++) {
                if (copy.get(i).dtype() != copy.getFirst().dtype()) {
                    throw new IllegalArgumentException("TensorDataset: field '" + name + "' mixes " + copy.getFirst().dtype() + " (sample 0) and "
                            + copy.get(i).dtype() + " (sample " + i + ")");
                }
            }
            return new Field(null, copy);
        }

        private Builder add(String name, Field f, boolean isTarget) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || fields.containsKey(name)) {
                throw new IllegalArgumentException("TensorDataset: field name '" + name + "' is empty or already used (fields " + fields.keySet() + ")");
            }
            if (isTarget && target != null) {
                throw new IllegalArgumentException("TensorDataset: a target ('" + target + "') was already added; add '" + name + "' as an input");
            }
            if (size >= 0 && f.size() != size) {
                throw new IllegalArgumentException("TensorDataset: field '" + name + "' has " + f.size() + " samples, the fields before it "
                        + size + (f.stacked() != null ? " (shape " + Shape.str(f.stacked().shape()) + ")" : ""));
            }
            size = f.size();
            fields.put(name, f);
            if (isTarget) target = name;
            return this;
        }

        /**
         * {@return the data set}
         *
         * @throws IllegalArgumentException if no field was added or it has no samples
         */
        public TensorDataset build() {
            if (fields.isEmpty() || size == 0) throw new IllegalArgumentException("TensorDataset: no fields or no samples");
            return new TensorDataset(this);
        }
    }
}
