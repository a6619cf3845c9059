package dev.kiln.peers.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * The libtorch 2.7 (DJL) peer of {@code bench/peers/torch_attention_bench.py --json}: attention
 * forward + backward at batch 1, H heads, head size E, sequence T, as
 * {@code (softmax(q k^T / sqrt(E)) v).sum()} then backward. DJL 0.35 exposes no fused attention
 * ({@code torch::scaled_dot_product_attention} is not among its ops, and its
 * {@code ScaledDotProductAttentionBlock} is this same explicit math), so libtorch 2.7 runs the math
 * path here too, as PyTorch 1.13 does in the torch peer: it materialises the T x T scores and
 * probabilities and keeps the probabilities for backward. Prints one JSON line per sequence length:
 * ms per step and the growth of the process's peak resident set (VmHWM) over the steps, measured from
 * just before the first step (inputs allocated).
 *
 * <pre>java ... dev.kiln.peers.djl.DjlAttention --seq 1024,4096 --heads 1 --dim 64 --warmup 1 --repeats 5 --threads 2</pre>
 */
public final class DjlAttention {
    private DjlAttention() {}

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) {
        DjlArgs a = DjlArgs.parse("DjlAttention", args);
        int heads = a.integer("heads", 1), dim = a.integer("dim", 64), warmup = a.integer("warmup", 1), repeats = a.integer("repeats", 5);
        int threads = a.startEngine(0);
        for (String s : a.text("seq", "1024,4096").split(",")) {
            int t = Integer.parseInt(s.trim());
            Engine.getEngine("PyTorch").setRandomSeed(t);
            try (NDManager base = NDManager.newBaseManager()) {
                NDArray[] qkv = new NDArray[3];
                for (int i = 0; i < 3; i++) {
                    qkv[i] = base.randomNormal(new Shape(1, heads, t, dim));
                    qkv[i].setRequiresGradient(true);
                }
                double[] ms = new double[repeats];
                long rss0 = DjlSteps.peakRssKib();
                for (int i = 0; i < warmup + repeats; i++) {
                    long start = System.nanoTime();
                    try (NDManager step = base.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        for (NDArray x : qkv) x.tempAttach(step);
                        NDArray w = qkv[0].matMul(qkv[1].swapAxes(2, 3)).div(Math.sqrt(dim)).softmax(-1);
                        gc.backward(w.matMul(qkv[2]).sum());
                    }
                    if (i >= warmup) ms[i - warmup] = (System.nanoTime() - start) / 1e6;
                    // torch's peer sets x.grad = None here; DJL can only zero the gradient (the next backward adds into it)
                    for (NDArray x : qkv) JniUtils.zeroGrad((PtNDArray) x);
                }
                double grown = (DjlSteps.peakRssKib() - rss0) / 1024.0;
                System.out.println(new DjlJson().text("bench", "attention").number("seq", t).number("heads", heads).number("dim", dim)
                        .numbers("ms", ms, 2).number("peak_rss_growth_mib", DjlJson.round(grown, 1)).text("engine", DjlArgs.engineLabel())
                        .number("threads", threads).text("attention", "math"));
            }
        }
    }
}
