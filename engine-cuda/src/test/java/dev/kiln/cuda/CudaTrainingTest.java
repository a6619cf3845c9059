package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.GELU;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.ops.Reduction;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whole training steps on the GPU through the public API (nn, autograd, optimisers): device
 * memory returns to its starting level over 1,000 steps, and in deterministic mode (the default)
 * two identical runs are bit-identical. Skipped with the probe's reason where CUDA is unavailable.
 */
@Tag("cuda")
class CudaTrainingTest {
    private static final int BATCH = 16, SIDE = 12, CLASSES = 10;

    @RegisterExtension
    static final CudaUnderTest GPU = new CudaUnderTest();

    private CudaBackend b;

    @BeforeEach
    void useGpu() {
        b = GPU.require();
    }

    /**
     * A small CNN whose step touches every kind of work the backend does: cuDNN convolutions
     * (with bias), batch norm and pooling, Kiln's activation, dropout (Philox), reduction and loss
     * kernels, cuBLAS for the linear layer, and the fused optimiser. [16, 1, 12, 12] -> [16, 10].
     */
    private static Module model(Backend backend, long seed) {
        Generator g = new Generator(seed);
        return new Sequential(
                new Conv2d(1, 8, 3, 3, Conv2dOptions.defaults().padding(1), true, g, backend),
                new BatchNorm2d(8, 1e-5f, 0.1f, backend),
                new ReLU(),
                new MaxPool2d(2),
                new Conv2d(8, 16, 3, 3, Conv2dOptions.defaults(), true, g, backend),
                new GELU(),
                new AvgPool2d(Pool2dOptions.kernel(2)),
                new Flatten(),
                new Dropout(0.25f, new Generator(seed + 1)),
                new Linear(16 * 2 * 2, CLASSES, true, g, backend));
    }

    private Tensor images(long seed) {
        float[] x = new float[BATCH * SIDE * SIDE];
        new Generator(seed).fillNormal(x, 0f, 1f);
        return Tensor.fromArray(b, x, BATCH, 1, SIDE, SIDE).unscope();
    }

    private Tensor labels(long seed) {
        Generator g = new Generator(seed);
        int[] y = new int[BATCH];
        for (int i = 0; i < BATCH; i++) y[i] = g.nextInt(CLASSES);
        return Tensor.fromInts(b, y, BATCH).unscope();
    }

    /** One step: forward, label-smoothed cross-entropy, backward, update. Returns the loss (synchronises). */
    private static float step(Module m, Optimizer opt, Tensor x, Tensor y) {
        try (var scope = Kiln.scope()) {
            Tensor loss = new CrossEntropyLoss(Reduction.MEAN, 0.1f).apply(m.forward(x), y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            return loss.item();
        }
    }

    @Test
    void deviceMemoryReturnsToItsStartingLevelOver1000TrainingSteps() {
        b.synchronize();
        long inUseBefore = b.bytesInUse(), allocatedBefore = b.memoryStats().allocatedBytes();
        long leakedTensors = Tensor.leakedCount(), leakedStorages = CudaStorage.freedByCleaner();
        float first, last = Float.NaN;
        long inUseAfterFirst, allocatedAfterFirst;
        try (Module m = model(b, 7); Tensor x = images(8); Tensor y = labels(9);
             Optimizer opt = new Adam(m.parameters(), 1e-3)) {
            m.train();
            first = step(m, opt, x, y); // creates the optimiser state: the level to return to
            b.synchronize();
            inUseAfterFirst = b.bytesInUse();
            allocatedAfterFirst = b.memoryStats().allocatedBytes();
            for (int i = 1; i < 1000; i++) last = step(m, opt, x, y);
            b.synchronize();
            assertEquals(inUseAfterFirst, b.bytesInUse(), "bytes of live storages after 1,000 steps vs after the first");
            assertEquals(allocatedAfterFirst, b.memoryStats().allocatedBytes(),
                    "allocator blocks after 1,000 steps vs after the first (workspaces and temporaries must go back): " + b.memoryStats());
        }
        b.synchronize();
        assertEquals(inUseBefore, b.bytesInUse(), "bytes of live storages once the model, data and optimiser are closed");
        assertEquals(allocatedBefore, b.memoryStats().allocatedBytes(), "allocator blocks once everything is closed: " + b.memoryStats());
        assertEquals(leakedTensors, Tensor.leakedCount(), "tensors freed by the garbage-collection safety net");
        assertEquals(leakedStorages, CudaStorage.freedByCleaner(), "storages freed by the garbage-collection safety net");
        assertTrue(Float.isFinite(last) && last < first, "1,000 steps on one batch should lower the loss: first " + first + ", last " + last);
    }

    /** Losses of every step, then every parameter and buffer, after {@code steps} steps from fixed seeds. */
    private List<float[]> run(boolean adam, int steps) {
        List<float[]> out = new ArrayList<>();
        float[] losses = new float[steps];
        try (Module m = model(b, 3); Tensor x = images(4); Tensor y = labels(5);
             Optimizer opt = adam ? new Adam(m.parameters(), 1e-2) : SGD.builder(m.parameters()).lr(0.05).momentum(0.9).weightDecay(1e-4).nesterov(true).build()) {
            m.train();
            for (int i = 0; i < steps; i++) losses[i] = step(m, opt, x, y);
            out.add(losses);
            for (Tensor p : m.parameters()) out.add(p.toFloatArray());
            for (Tensor buf : m.namedBuffers().values()) out.add(buf.toFloatArray());
        }
        return out;
    }

    @Test
    void deterministicModeGivesBitIdenticalRuns() {
        assertTrue(b.description().contains("deterministic"), "the default options are deterministic: " + b.description());
        for (boolean adam : new boolean[] {true, false}) {
            List<float[]> first = run(adam, 25), second = run(adam, 25);
            assertEquals(first.size(), second.size());
            for (int t = 0; t < first.size(); t++) {
                float[] u = first.get(t), v = second.get(t);
                assertEquals(u.length, v.length);
                for (int i = 0; i < u.length; i++) {
                    if (Float.floatToRawIntBits(u[i]) != Float.floatToRawIntBits(v[i])) {
                        throw new AssertionError((adam ? "Adam" : "SGD") + " run differs at " + (t == 0 ? "loss of step " : "tensor " + t + " element ")
                                + i + ": " + u[i] + " vs " + v[i]);
                    }
                }
            }
        }
    }
}
