package dev.kiln.peers.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.TreeSet;

/**
 * Prints the engine DJL loaded and one small product (proof that libtorch runs offline), then
 * libtorch's build features (its {@code show_config}: MKL, oneDNN, OpenMP, AVX levels) and the
 * intra-op and inter-op thread counts in use. {@code -Dai.djl.pytorch.num_threads=N} sets the former.
 */
public final class DjlCheck {
    private DjlCheck() {}

    /** Prints the check; takes no arguments. */
    public static void main(String[] args) {
        Engine e = Engine.getEngine("PyTorch");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.arange(6f).reshape(2, 3);
            System.out.println("engine " + e.getEngineName() + " " + e.getVersion() + ": " + a.matMul(a.transpose()));
        }
        System.out.println("features " + new TreeSet<>(JniUtils.getFeatures()));
        System.out.println("threads intra-op " + JniUtils.getNumThreads() + ", inter-op " + JniUtils.getNumInteropThreads()
                + ", cores " + Runtime.getRuntime().availableProcessors());
    }
}
