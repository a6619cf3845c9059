package dev.kiln.peers.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the DJL sequence peers share around a training step: the trainable arrays by name, the
 * optimizer update over all of them (what DJL's {@code ParameterStore.updateAllParameters} does inside
 * a {@code Trainer}, without the trainer's metrics and listeners, as the torch peers call
 * {@code opt.step()} directly), gradient clipping by the global norm, and the process's peak RSS.
 *
 * <p>Lifetimes: parameters and optimizer state live in a long-lived manager; each step runs in a
 * sub-manager that the step closes, and the gradient wrappers that DJL hands out (new handles on
 * each call) are attached to it, so nothing accumulates across steps.
 */
final class DjlSteps {
    /** The trainable arrays by a unique name, in a fixed order. */
    final Map<String, NDArray> params = new LinkedHashMap<>();

    /** Adds every parameter of an initialised DJL block under {@code prefix}. */
    void addBlock(String prefix, Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) params.put(prefix + p.getKey(), p.getValue().getArray());
    }

    /** Adds one array as a trainable parameter (it gets requires-grad here). */
    NDArray add(String name, NDArray array) {
        array.setRequiresGradient(true);
        if (params.put(name, array) != null) throw new IllegalArgumentException("DjlSteps: parameter " + name + " added twice");
        return array;
    }

    /** The number of trainable scalars, as {@code sum(p.numel() for p in model.parameters())}. */
    long count() {
        long n = 0;
        for (NDArray a : params.values()) n += a.size();
        return n;
    }

    /** The gradient of every parameter after backward, attached to {@code step} so that closing it frees the handles. */
    List<NDArray> gradients(NDManager step) {
        List<NDArray> grads = new ArrayList<>(params.size());
        for (NDArray p : params.values()) {
            NDArray g = p.getGradient();
            g.attach(step);
            grads.add(g);
        }
        return grads;
    }

    /**
     * torch.nn.utils.clip_grad_norm_(params, maxNorm) as PyTorch 1.13 computes it: the 2-norm of the
     * per-tensor 2-norms, and every gradient multiplied in place by min(1, maxNorm / (norm + 1e-6)).
     */
    static void clipGradNorm(List<NDArray> grads, double maxNorm) {
        NDArray total = null;
        for (NDArray g : grads) {
            NDArray sq = g.square().sum();
            total = total == null ? sq : total.add(sq);
        }
        NDArray coef = NDArrays.div(maxNorm, total.sqrt().add(1e-6)).minimum(1f);
        for (NDArray g : grads) g.muli(coef);
    }

    /** One optimizer update of every parameter with its gradient (DJL's Adam/AdamW zero the gradient afterwards). */
    void update(Optimizer optimizer, List<NDArray> grads) {
        int i = 0;
        for (Map.Entry<String, NDArray> e : params.entrySet()) optimizer.update(e.getKey(), e.getValue(), grads.get(i++));
    }

    /**
     * The arrays {@code base} holds (its sub-managers' included): called between timed blocks, it
     * shows that a step leaves nothing behind (see {@link #checkSteady}).
     */
    static int live(NDManager base) {
        return base.getManagedArrays().size();
    }

    /** Fails when {@code base} holds more arrays than {@code before}: a step leaked native memory. */
    static void checkSteady(String peer, NDManager base, int before) {
        int now = live(base);
        if (now > before) throw new IllegalStateException(peer + ": the steps leaked arrays: " + before + " held after warm-up, " + now + " now");
    }

    /** One training step: forward, backward and update inside {@code step}, whose arrays close with it; returns the loss. */
    interface TrainStep {
        /** Runs the step with its intermediates in {@code step}; returns the loss array. */
        NDArray run(NDManager step);
    }

    /** What {@link #timed} measured: items/s of each timed block, the first warm-up step's loss and the last step's. */
    record Timed(double[] rates, float firstLoss, float lastLoss) {}

    /**
     * Runs {@code warmup} untimed steps, then {@code repeats} timed blocks of {@code steps} steps, each
     * step in a sub-manager of {@code base} with {@code inputs} attached to it for the step; a block's
     * rate is {@code itemsPerStep * steps} over its seconds. Fails when the steps leaked arrays.
     */
    static Timed timed(String peer, NDManager base, List<NDArray> inputs, int warmup, int steps, int repeats, double itemsPerStep, TrainStep body) {
        double[] rates = new double[repeats];
        float first = Float.NaN, last = Float.NaN;
        int held = 0;
        for (int r = -1; r < repeats; r++) {
            if (r == 0) held = live(base);
            int n = r < 0 ? warmup : steps;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                try (NDManager step = base.newSubManager()) {
                    for (NDArray in : inputs) in.tempAttach(step);
                    NDArray loss = body.run(step);
                    if (r < 0 && i == 0) first = loss.getFloat();
                    if (i == n - 1) last = loss.getFloat();
                }
            }
            if (r >= 0) rates[r] = itemsPerStep * steps / ((System.nanoTime() - t0) / 1e9);
        }
        checkSteady(peer, base, held);
        return new Timed(rates, first, last);
    }

    /** The peak resident set of this process (VmHWM, KiB), as torch_attention_bench.py reads it; -1 where /proc is missing. */
    static long peakRssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.split("\\s+")[1]);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
