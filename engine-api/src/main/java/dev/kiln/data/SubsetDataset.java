package dev.kiln.data;

import java.util.Objects;
import java.util.function.IntUnaryOperator;

/** A view of selected samples of another dataset, with optionally remapped labels. */
final class SubsetDataset implements Dataset {
    private final Dataset base;
    private final int[] indices;
    private final IntUnaryOperator remap;

    SubsetDataset(Dataset base, int[] indices, IntUnaryOperator remap) {
        this.base = base;
        this.indices = indices.clone();
        this.remap = Objects.requireNonNull(remap, "remap");
        for (int i = 0; i < this.indices.length; i++) {
            if (this.indices[i] < 0 || this.indices[i] >= base.size()) {
                throw new IndexOutOfBoundsException("subset: index " + this.indices[i] + " at position " + i
                        + " is out of range for a dataset of " + base.size() + " samples");
            }
        }
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int[] sampleShape() {
        return base.sampleShape();
    }

    @Override
    public int label(int index) {
        return remap.applyAsInt(base.label(indices[index]));
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        base.copySample(indices[index], dst, offset);
    }
}
