package dev.kiln.peers.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Prints the engine DJL loaded and one small product: proof that libtorch runs offline. */
public final class DjlCheck {
    public static void main(String[] args) {
        Engine e = Engine.getEngine("PyTorch");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.arange(6f).reshape(2, 3);
            System.out.println("engine " + e.getEngineName() + " " + e.getVersion() + ": " + a.matMul(a.transpose()));
        }
    }
}
