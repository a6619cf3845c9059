package dev.kiln.peers.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;

/**
 * The libtorch 2.7 (DJL) peer of {@code bench/peers/torch_gpt.py bench}: the nanoGPT-style decoder of
 * Kiln's {@code Gpt} (token and position embeddings, pre-norm blocks of causal self-attention and an
 * exact-GELU MLP, final LayerNorm, lm_head tied to the token embedding; nanoGPT's init) and its training
 * step on a fixed batch of random tokens: forward, softmax cross-entropy, backward, clipping to global
 * norm 1 (as {@code clip_grad_norm_} computes it), DJL's AdamW (lr 6e-4, betas 0.9 / 0.95, weight decay
 * 0.1 on every parameter). Attention is the explicit masked softmax, as in the torch peer (DJL exposes
 * no fused attention); the causal mask is added as a -inf upper triangle, which is
 * {@code masked_fill}'s arithmetic. Prints one JSON line with tokens/s of each timed block.
 *
 * <pre>java ... dev.kiln.peers.djl.DjlGpt --layers 4 --width 128 --heads 4 --context 128 --vocab 2048 --batch 32 --steps 5 --warmup 2 --repeats 1 --threads 2</pre>
 */
public final class DjlGpt {
    private DjlGpt() {}

    /** One block's parameters (nanoGPT's names). */
    private record Block(NDArray ln1w, NDArray ln1b, NDArray attnW, NDArray attnB, NDArray projW, NDArray projB,
                         NDArray ln2w, NDArray ln2b, NDArray fcW, NDArray fcB, NDArray fcProjW, NDArray fcProjB) {}

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) {
        DjlArgs a = DjlArgs.parse("DjlGpt", args);
        int layers = a.integer("layers", 4), width = a.integer("width", 128), heads = a.integer("heads", 4);
        int context = a.integer("context", 128), vocab = a.integer("vocab", 2048), batch = a.integer("batch", 32);
        int warmup = a.integer("warmup", 2), steps = a.integer("steps", 5), repeats = a.integer("repeats", 1);
        float lr = (float) a.real("lr", 6e-4);
        if (width % heads != 0) throw new IllegalArgumentException("DjlGpt: --width " + width + " is not a multiple of --heads " + heads);
        int threads = a.startEngine(42);
        try (NDManager base = NDManager.newBaseManager()) {
            DjlSteps m = new DjlSteps();
            double std = 0.02, projStd = 0.02 / Math.sqrt(2.0 * layers);
            NDArray wte = m.add("transformer.wte.weight", normal(base, std, vocab, width));
            NDArray wpe = m.add("transformer.wpe.weight", normal(base, std, context, width));
            List<Block> blocks = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                String p = "transformer.h." + l + ".";
                blocks.add(new Block(m.add(p + "ln_1.weight", base.ones(new Shape(width))), m.add(p + "ln_1.bias", base.zeros(new Shape(width))),
                        m.add(p + "attn.c_attn.weight", normal(base, std, 3 * width, width)), m.add(p + "attn.c_attn.bias", base.zeros(new Shape(3 * width))),
                        m.add(p + "attn.c_proj.weight", normal(base, projStd, width, width)), m.add(p + "attn.c_proj.bias", base.zeros(new Shape(width))),
                        m.add(p + "ln_2.weight", base.ones(new Shape(width))), m.add(p + "ln_2.bias", base.zeros(new Shape(width))),
                        m.add(p + "mlp.c_fc.weight", normal(base, std, 4 * width, width)), m.add(p + "mlp.c_fc.bias", base.zeros(new Shape(4 * width))),
                        m.add(p + "mlp.c_proj.weight", normal(base, projStd, width, 4 * width)), m.add(p + "mlp.c_proj.bias", base.zeros(new Shape(width)))));
            }
            NDArray lnfW = m.add("transformer.ln_f.weight", base.ones(new Shape(width))), lnfB = m.add("transformer.ln_f.bias", base.zeros(new Shape(width)));
            // -inf above the diagonal: adding it is masked_fill(~tril, -inf)
            float[] upper = new float[context * context];
            for (int i = 0; i < context; i++) java.util.Arrays.fill(upper, i * context + i + 1, (i + 1) * context, Float.NEGATIVE_INFINITY);
            NDArray causal = base.create(upper, new Shape(context, context));
            Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(lr)).optBeta1(0.9f).optBeta2(0.95f).optWeightDecays(0.1f).build();
            Loss ce = Loss.softmaxCrossEntropyLoss();
            Engine.getEngine("PyTorch").setRandomSeed(7);
            NDArray data = base.randomInteger(0, vocab, new Shape(batch, context + 1), DataType.INT64);
            NDArray x = data.get(":, :-1").duplicate(), y = data.get(":, 1:").reshape(batch * context).duplicate();
            NDArray pos = base.arange(0, context, 1, DataType.INT64);
            int hd = width / heads;
            float scale = (float) (1 / Math.sqrt(hd));
            DjlSteps.Timed t = DjlSteps.timed("DjlGpt", base, List.of(x, y, pos), warmup, steps, repeats, (double) batch * context, step -> {
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray h = embed(x, wte).add(embed(pos, wpe));
                    for (Block b : blocks) {
                        NDArray qkv = DjlOps.linear(DjlOps.layerNorm(h, b.ln1w(), b.ln1b()), b.attnW(), b.attnB());
                        NDList parts = qkv.split(3, 2);
                        NDArray q = DjlOps.heads(parts.get(0), heads), k = DjlOps.heads(parts.get(1), heads), v = DjlOps.heads(parts.get(2), heads);
                        NDArray att = q.matMul(k.swapAxes(2, 3)).mul(scale).add(causal).softmax(-1);
                        h = h.add(DjlOps.linear(DjlOps.merge(att.matMul(v)), b.projW(), b.projB()));
                        NDArray fc = DjlOps.linear(DjlOps.layerNorm(h, b.ln2w(), b.ln2b()), b.fcW(), b.fcB());
                        h = h.add(DjlOps.linear(fc.getNDArrayInternal().gelu(), b.fcProjW(), b.fcProjB()));
                    }
                    NDArray logits = DjlOps.linear(DjlOps.layerNorm(h, lnfW, lnfB), wte, null);
                    loss = ce.evaluate(new NDList(y), new NDList(logits.reshape(batch * context, vocab)));
                    gc.backward(loss);
                }
                List<NDArray> grads = m.gradients(step);
                DjlSteps.clipGradNorm(grads, 1.0);
                m.update(adamW, grads);
                return loss;
            });
            String config = new DjlJson().number("layers", layers).number("width", width).number("heads", heads).number("context", context)
                    .number("vocab", vocab).number("batch", batch).number("steps", steps).number("warmup", warmup).toString();
            System.out.println(new DjlJson().text("bench", "gpt").numbers("tokens_per_s", t.rates(), 1).text("engine", DjlArgs.engineLabel())
                    .number("threads", threads).number("params", m.count()).number("first_loss", DjlJson.round(t.firstLoss(), 4))
                    .number("last_loss", DjlJson.round(t.lastLoss(), 4)).text("device", "cpu").text("attention", "math").raw("config", config));
        }
    }

    private static NDArray embed(NDArray ids, NDArray table) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private static NDArray normal(NDManager base, double std, long... shape) {
        return base.randomNormal(0f, (float) std, new Shape(shape), DataType.FLOAT32);
    }
}
