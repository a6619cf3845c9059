package dev.kiln.data;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Collate} for variable-length sequences: the chosen fields (each sample's tensor
 * {@code [T_i, ...]}, the time steps first) are padded along their first dimension to the longest
 * {@code T} of the batch with a per-field value, on the right (the default) or on the left, giving
 * {@code [B, T, ...]}; the other fields are stacked. Two fields are added: the lengths {@code T_i}
 * (INT64 {@code [B]}, named {@code "lengths"} by default) and a padding mask (BOOL {@code [B, T]},
 * true at padded steps, as PyTorch's {@code key_padding_mask}; named {@code "padding_mask"}).
 * Per-position targets are padded like their inputs, with the loss's ignore index (-100 for
 * {@link dev.kiln.nn.CrossEntropyLoss}) so padded steps add no loss.
 *
 * {@snippet :
 * Collate collate = Collate.padSequences().pad("tokens", 0).pad("targets", -100).build();
 * }
 */
public final class PadSequences implements Collate {
    /** Where the padding goes. */
    public enum Side {
        /** After each sequence: step t of a sample is column t (PyTorch's default). */
        RIGHT,
        /** Before each sequence, so the sequences end together (for decoders generating to the right). */
        LEFT
    }

    private final Map<String, Double> values;
    private final Side side;
    private final String lengthsName;
    private final String maskName;

    private PadSequences(Builder b) {
        this.values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.values)); // the order the fields were named in
        this.side = b.side;
        this.lengthsName = b.lengthsName;
        this.maskName = b.maskName;
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * Pads the chosen fields, stacks the others, and adds the lengths and the mask after them.
     *
     * @throws IllegalArgumentException if a chosen field is missing or a scalar, the chosen fields of one sample have
     *                                  different lengths, their trailing sizes differ between samples, or a field
     *                                  already has the name of the lengths or the mask
     */
    @Override
    public Map<String, HostTensor> collate(List<Map<String, HostTensor>> samples) {
        Map<String, HostTensor> first = samples.getFirst();
        for (String name : values.keySet()) {
            if (!first.containsKey(name)) throw new IllegalArgumentException("pad_sequences: no field '" + name + "' (fields " + first.keySet() + ")");
        }
        for (String added : new String[] {lengthsName, maskName}) {
            if (first.containsKey(added)) throw new IllegalArgumentException("pad_sequences: a field is already named '" + added + "'");
        }
        int b = samples.size();
        long[] lengths = new long[b];
        int longest = 0;
        for (int i = 0; i < b; i++) {
            int len = -1;
            String lenField = null;
            for (String name : values.keySet()) {
                HostTensor t = samples.get(i).get(name);
                if (t == null || t.rank() == 0) {
                    throw new IllegalArgumentException("pad_sequences: field '" + name + "' of sample " + i + " is "
                            + (t == null ? "missing" : "a scalar") + "; expected [T, ...]");
                }
                if (len >= 0 && t.size(0) != len) {
                    throw new IllegalArgumentException("pad_sequences: in sample " + i + " field '" + name + "' has " + t.size(0)
                            + " steps but '" + lenField + "' has " + len);
                }
                len = t.size(0);
                lenField = name;
            }
            lengths[i] = len;
            longest = Math.max(longest, len);
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String name : first.keySet()) {
            Double value = values.get(name);
            out.put(name, value == null ? Collate.stack(name, samples) : pad(name, samples, longest, value));
        }
        boolean[] mask = new boolean[Math.multiplyExact(b, longest)];
        for (int i = 0; i < b; i++) {
            int len = (int) lengths[i];
            if (side == Side.RIGHT) Arrays.fill(mask, i * longest + len, (i + 1) * longest, true);
            else Arrays.fill(mask, i * longest, i * longest + longest - len, true);
        }
        out.put(lengthsName, HostTensor.longs(lengths, b));
        out.put(maskName, HostTensor.booleans(mask, b, longest));
        return out;
    }

    private HostTensor pad(String name, List<Map<String, HostTensor>> samples, int longest, double value) {
        HostTensor first = samples.getFirst().get(name);
        int[] rest = Arrays.copyOfRange(first.shape(), 1, first.rank());
        int step = Math.toIntExact(Shape.numel(rest)), row = Math.multiplyExact(step, longest);
        DType dtype = first.dtype();
        Object data = HostTensor.newArray(dtype, Math.multiplyExact(row, samples.size()));
        HostTensor.fill(data, 0, row * samples.size(), value);
        for (int i = 0; i < samples.size(); i++) {
            HostTensor t = samples.get(i).get(name);
            if (t.dtype() != dtype || !Arrays.equals(Arrays.copyOfRange(t.shape(), 1, t.rank()), rest)) {
                throw new IllegalArgumentException("pad_sequences: field '" + name + "' is " + dtype + " " + Shape.str(first.shape())
                        + " in the batch's first sample but " + t.dtype() + " " + Shape.str(t.shape()) + " in sample " + i
                        + "; only the first (time) dimension may differ");
            }
            int at = i * row + (side == Side.LEFT ? (longest - t.size(0)) * step : 0);
            System.arraycopy(t.data(), 0, data, at, t.numel());
        }
        int[] shape = new int[first.rank() + 1];
        shape[0] = samples.size();
        shape[1] = longest;
        System.arraycopy(rest, 0, shape, 2, rest.length);
        return new HostTensor(dtype, shape, data);
    }

    /** Settings of a {@link PadSequences}; at least one field must be chosen. */
    public static final class Builder {
        private final Map<String, Double> values = new LinkedHashMap<>();
        private Side side = Side.RIGHT;
        private String lengthsName = "lengths";
        private String maskName = "padding_mask";

        private Builder() {}

        /**
         * Pads field {@code name} with {@code value} (converted to the field's type; for BOOL, true when not 0).
         *
         * @param name the field, whose samples are {@code [T_i, ...]}
         * @param value the padding value, e.g. 0 for token ids or -100 for per-position targets
         * @return this builder
         */
        public Builder pad(String name, double value) {
            values.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /**
         * Where the padding goes (default {@link Side#RIGHT}).
         *
         * @param side right or left
         * @return this builder
         */
        public Builder side(Side side) {
            this.side = Objects.requireNonNull(side, "side");
            return this;
        }

        /**
         * Names of the two added fields (defaults {@code "lengths"} and {@code "padding_mask"}).
         *
         * @param lengths the name of the INT64 {@code [B]} lengths
         * @param mask the name of the BOOL {@code [B, T]} padding mask
         * @return this builder
         */
        public Builder names(String lengths, String mask) {
            if (Objects.requireNonNull(lengths, "lengths").equals(Objects.requireNonNull(mask, "mask"))) {
                throw new IllegalArgumentException("pad_sequences: the lengths and the mask need different names, got '" + mask + "' twice");
            }
            this.lengthsName = lengths;
            this.maskName = mask;
            return this;
        }

        /**
         * {@return the collate}
         *
         * @throws IllegalStateException if no field was chosen
         */
        public PadSequences build() {
            if (values.isEmpty()) throw new IllegalStateException("pad_sequences: choose the fields to pad with pad(name, value)");
            return new PadSequences(this);
        }
    }
}
