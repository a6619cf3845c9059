package dev.kiln.data;

/** Which part of a data set: the training or the test images. */
public enum Split {
    /** The training set ("train-" files). */
    TRAIN("train"),
    /** The test set ("t10k-" files). */
    TEST("t10k");

    private final String prefix;

    Split(String prefix) {
        this.prefix = prefix;
    }

    /** {@return file name prefix used by MNIST-style data sets: "train" or "t10k"} */
    public String prefix() {
        return prefix;
    }
}
