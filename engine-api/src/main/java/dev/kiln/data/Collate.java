package dev.kiln.data;

import dev.kiln.tensor.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the samples of one batch into the batch's fields (as PyTorch's {@code collate_fn}): each
 * sample is a map of named host tensors from a {@link TensorDataset}; the result maps names to
 * tensors with a leading batch dimension. Runs on the {@link DataLoader}'s worker thread, so an
 * implementation must not touch a backend.
 */
@FunctionalInterface
public interface Collate {
    /**
     * Collates one batch.
     *
     * @param samples the batch's samples in order, at least one, all with the same field names
     * @return the batch's fields by name, each with the batch as dimension 0
     * @throws IllegalArgumentException if the samples cannot be combined (naming the field)
     */
    Map<String, HostTensor> collate(List<Map<String, HostTensor>> samples);

    /**
     * {@return the default collate: each field stacked to {@code [B, ...]}; every sample's field must have the same shape}
     */
    static Collate stack() {
        return samples -> {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (String name : samples.getFirst().keySet()) out.put(name, stack(name, samples));
            return out;
        };
    }

    /**
     * {@return a builder of the collate that pads variable-length sequences to the longest of each batch}
     */
    static PadSequences.Builder padSequences() {
        return PadSequences.builder();
    }

    /**
     * Field {@code name} of every sample stacked to {@code [B, ...shape]}.
     *
     * @param name the field
     * @param samples the batch's samples
     * @return the stacked field
     * @throws IllegalArgumentException if the samples' shapes or dtypes differ
     */
    static HostTensor stack(String name, List<Map<String, HostTensor>> samples) {
        HostTensor first = field(name, samples, 0);
        int n = first.numel();
        Object data = HostTensor.newArray(first.dtype(), Math.multiplyExact(n, samples.size()));
        for (int i = 0; i < samples.size(); i++) {
            HostTensor t = field(name, samples, i);
            if (t.dtype() != first.dtype() || !Arrays.equals(t.shape(), first.shape())) {
                throw new IllegalArgumentException("collate: field '" + name + "' is " + first.dtype() + " " + Shape.str(first.shape())
                        + " in the batch's first sample but " + t.dtype() + " " + Shape.str(t.shape()) + " in sample " + i
                        + "; pad variable lengths with Collate.padSequences()");
            }
            System.arraycopy(t.data(), 0, data, i * n, n);
        }
        int[] shape = new int[first.rank() + 1];
        shape[0] = samples.size();
        System.arraycopy(first.shape(), 0, shape, 1, first.rank());
        return new HostTensor(first.dtype(), shape, data);
    }

    private static HostTensor field(String name, List<Map<String, HostTensor>> samples, int i) {
        HostTensor t = samples.get(i).get(name);
        if (t == null) throw new IllegalArgumentException("collate: sample " + i + " of the batch has no field '" + name + "'");
        return t;
    }
}
