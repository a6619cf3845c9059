package dev.kiln.data;

import dev.kiln.tensor.Generator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * A finite, indexable collection of labelled samples: each sample is a float array of shape
 * {@link #sampleShape()} (e.g. [1, 28, 28]) and an int class label. Implementations must allow
 * concurrent reads (the {@link DataLoader} reads from its worker thread).
 */
public interface Dataset {
    /** {@return number of samples} */
    int size();

    /** {@return shape of one sample, e.g. [1, 28, 28] (a copy)} */
    int[] sampleShape();

    /** {@return elements per sample: the product of {@link #sampleShape()}} */
    default int sampleNumel() {
        int n = 1;
        for (int d : sampleShape()) n *= d;
        return n;
    }

    /**
     * Label of sample {@code index}.
     *
     * @param index sample index
     * @return the sample's class label
     * @throws IndexOutOfBoundsException if {@code index} is not in [0, size())
     */
    int label(int index);

    /**
     * Writes sample {@code index} as {@link #sampleNumel()} floats into {@code dst} from {@code offset}.
     *
     * @param index sample index
     * @param dst the array to write into
     * @param offset index in {@code dst} of the first value
     * @throws IndexOutOfBoundsException if {@code index} is out of range or {@code dst} too short
     */
    void copySample(int index, float[] dst, int offset);

    /**
     * The samples at {@code indices}, in that order (a view; the array is copied).
     *
     * @param indices sample indices of this data set
     * @return a data set of {@code indices.length} samples
     * @throws IndexOutOfBoundsException naming the first index out of range
     */
    default Dataset subset(int[] indices) {
        return new SubsetDataset(this, indices, IntUnaryOperator.identity());
    }

    /**
     * The samples whose label satisfies {@code keep}, in their original order, with labels
     * passed through {@code remap} (e.g. digits 5-9 as classes 0-4: {@code keep = l -> l >= 5},
     * {@code remap = l -> l - 5}).
     *
     * @param keep which labels to keep
     * @param remap the new label of each kept label
     * @return the filtered view
     */
    default Dataset filterByLabel(IntPredicate keep, IntUnaryOperator remap) {
        int[] idx = new int[size()];
        int n = 0;
        for (int i = 0; i < idx.length; i++) if (keep.test(label(i))) idx[n++] = i;
        return new SubsetDataset(this, Arrays.copyOf(idx, n), remap);
    }

    /**
     * Up to {@code perClass} samples of each label, chosen by a seeded shuffle (a small labelled
     * budget for fine-tuning); the result is in the original order.
     *
     * @param perClass the most samples to keep per label, at least 1
     * @param seed seed of the choice
     * @return the chosen samples
     * @throws IllegalArgumentException if {@code perClass < 1}
     */
    default Dataset samplePerClass(int perClass, long seed) {
        if (perClass < 1) throw new IllegalArgumentException("samplePerClass: perClass must be >= 1, got " + perClass);
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        new Generator(seed).shuffle(order);
        Map<Integer, Integer> taken = new HashMap<>();
        List<Integer> chosen = new ArrayList<>();
        for (int i : order) {
            if (taken.merge(label(i), 1, Integer::sum) <= perClass) chosen.add(i);
        }
        return subset(chosen.stream().mapToInt(Integer::intValue).sorted().toArray());
    }
}
