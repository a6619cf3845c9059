package dev.kiln.peers.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;

/**
 * The libtorch 2.7 (DJL) peer of {@code bench/peers/torch_transformer_step.py}: one transformer
 * encoder layer's training step, as PyTorch's {@code nn.TransformerEncoderLayer(256, 4,
 * dim_feedforward=1024, dropout=0, activation="gelu", batch_first=True, norm_first=True)} computes it
 * in training (its Python path, {@code F.multi_head_attention_forward}: one packed in-projection,
 * q scaled by 1/sqrt(64), softmax(q k^T) v, out-projection), MSE against a fixed target, DJL's AdamW
 * (lr 1e-3, weight decay 0.01). DJL's own {@code TransformerEncoderBlock} is post-norm (BERT) with
 * separate q/k/v projections, so the layer is written with DJL's functional ops instead, with the
 * same 789,760 parameters. Prints one JSON line with sequences/s of each timed block.
 *
 * <pre>java ... dev.kiln.peers.djl.DjlTransformer --batch 64 --seq 128 --warmup 2 --steps 5 --repeats 1 --threads 2</pre>
 */
public final class DjlTransformer {
    private static final int WIDTH = 256, HEADS = 4, FF = 1024;

    private DjlTransformer() {}

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) {
        DjlArgs a = DjlArgs.parse("DjlTransformer", args);
        int batch = a.integer("batch", 64), seq = a.integer("seq", 128);
        int warmup = a.integer("warmup", 2), steps = a.integer("steps", 5), repeats = a.integer("repeats", 1);
        int threads = a.startEngine(42);
        try (NDManager base = NDManager.newBaseManager()) {
            DjlSteps m = new DjlSteps();
            // PyTorch's init: xavier-uniform packed in-projection, zero attention biases, Linear's +-1/sqrt(fan_in) elsewhere
            NDArray n1w = m.add("norm1.weight", base.ones(new Shape(WIDTH))), n1b = m.add("norm1.bias", base.zeros(new Shape(WIDTH)));
            double xavier = Math.sqrt(6.0 / (WIDTH + 3 * WIDTH));
            NDArray inW = m.add("self_attn.in_proj_weight", uniform(base, xavier, 3 * WIDTH, WIDTH));
            NDArray inB = m.add("self_attn.in_proj_bias", base.zeros(new Shape(3 * WIDTH)));
            NDArray outW = m.add("self_attn.out_proj.weight", uniform(base, 1 / Math.sqrt(WIDTH), WIDTH, WIDTH));
            NDArray outB = m.add("self_attn.out_proj.bias", base.zeros(new Shape(WIDTH)));
            NDArray n2w = m.add("norm2.weight", base.ones(new Shape(WIDTH))), n2b = m.add("norm2.bias", base.zeros(new Shape(WIDTH)));
            NDArray l1w = m.add("linear1.weight", uniform(base, 1 / Math.sqrt(WIDTH), FF, WIDTH));
            NDArray l1b = m.add("linear1.bias", uniform(base, 1 / Math.sqrt(WIDTH), FF));
            NDArray l2w = m.add("linear2.weight", uniform(base, 1 / Math.sqrt(FF), WIDTH, FF));
            NDArray l2b = m.add("linear2.bias", uniform(base, 1 / Math.sqrt(FF), WIDTH));
            Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-3f)).optWeightDecays(0.01f).build();
            NDArray x = base.randomNormal(new Shape(batch, seq, WIDTH)), y = base.randomNormal(new Shape(batch, seq, WIDTH));
            float scale = (float) (1 / Math.sqrt(WIDTH / HEADS));
            DjlSteps.Timed t = DjlSteps.timed("DjlTransformer", base, List.of(x, y), warmup, steps, repeats, batch, step -> {
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    // x + self_attn(norm1(x))
                    NDArray qkv = DjlOps.linear(DjlOps.layerNorm(x, n1w, n1b), inW, inB);
                    var parts = qkv.split(3, 2);
                    NDArray q = DjlOps.heads(parts.get(0), HEADS).mul(scale);
                    NDArray k = DjlOps.heads(parts.get(1), HEADS), v = DjlOps.heads(parts.get(2), HEADS);
                    NDArray att = q.matMul(k.swapAxes(2, 3)).softmax(-1);
                    NDArray h = x.add(DjlOps.linear(DjlOps.merge(att.matMul(v)), outW, outB));
                    // h + linear2(gelu(linear1(norm2(h))))
                    NDArray f = DjlOps.linear(DjlOps.linear(DjlOps.layerNorm(h, n2w, n2b), l1w, l1b).getNDArrayInternal().gelu(), l2w, l2b);
                    loss = h.add(f).sub(y).square().mean();
                    gc.backward(loss);
                }
                m.update(adamW, m.gradients(step));
                return loss;
            });
            System.out.println(new DjlJson().text("bench", "transformer").numbers("seq_per_s", t.rates(), 2).text("engine", DjlArgs.engineLabel())
                    .number("threads", threads).number("params", m.count()).number("first_loss", DjlJson.round(t.firstLoss(), 4))
                    .number("last_loss", DjlJson.round(t.lastLoss(), 4)));
        }
    }

    private static NDArray uniform(NDManager base, double bound, long... shape) {
        return base.randomUniform((float) -bound, (float) bound, new Shape(shape));
    }
}
