package dev.kiln.train;

import dev.kiln.data.Dataset;

/** Samples held as float arrays, for tests. */
final class ArrayDataset implements Dataset {
    private final float[][] samples;
    private final int[] labels;
    private final int[] shape;

    ArrayDataset(float[][] samples, int[] labels, int... shape) {
        this.samples = samples;
        this.labels = labels;
        this.shape = shape;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int[] sampleShape() {
        return shape.clone();
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public void copySample(int index, float[] dst, int offset) {
        System.arraycopy(samples[index], 0, dst, offset, samples[index].length);
    }
}
