package dev.kiln.peers.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.recurrent.GRU;
import ai.djl.nn.recurrent.LSTM;
import ai.djl.nn.recurrent.RecurrentBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;

/**
 * The libtorch 2.7 (DJL) peer of {@code bench/peers/torch_lstm_step.py}: the seq-MNIST recurrent
 * training step, an image read as 28 steps of 28 pixels, DJL's {@link LSTM} block (or {@link GRU},
 * {@code --cell gru}; both call libtorch's fused {@code torch::lstm} / {@code torch::gru}), hidden 128,
 * batch first, a {@link Linear} head on h_n, softmax cross-entropy and DJL's Adam (lr 1e-3), the
 * batch already in memory. Initialisation as PyTorch's: every weight and bias uniform in
 * +-1/sqrt(128). Prints one JSON line with sequences/s of each timed block (stderr: one line per
 * block).
 *
 * <pre>java ... dev.kiln.peers.djl.DjlLstm --batch 64 --steps 20 --warmup 5 --repeats 5 --threads 2 [--cell gru]</pre>
 */
public final class DjlLstm {
    private static final int PIXELS = 28, HIDDEN = 128, CLASSES = 10;

    private DjlLstm() {}

    /** Runs the benchmark; see the class comment for the options. */
    public static void main(String[] args) {
        DjlArgs a = DjlArgs.parse("DjlLstm", args);
        int batch = a.integer("batch", 64), steps = a.integer("steps", 20), warmup = a.integer("warmup", 5), repeats = a.integer("repeats", 5);
        String cell = a.text("cell", "lstm");
        if (!cell.equals("lstm") && !cell.equals("gru")) throw new IllegalArgumentException("DjlLstm: --cell must be lstm or gru, found " + cell);
        int threads = a.startEngine(42);
        try (NDManager base = NDManager.newBaseManager()) {
            RecurrentBlock rnn = cell.equals("lstm")
                    ? LSTM.builder().setStateSize(HIDDEN).setNumLayers(1).optBatchFirst(true).optReturnState(true).build()
                    : GRU.builder().setStateSize(HIDDEN).setNumLayers(1).optBatchFirst(true).optReturnState(true).build();
            Linear head = Linear.builder().setUnits(CLASSES).build();
            UniformInitializer init = new UniformInitializer((float) (1 / Math.sqrt(HIDDEN)));
            for (var b : List.of(rnn, head)) {
                b.setInitializer(init, Parameter.Type.WEIGHT);
                b.setInitializer(init, Parameter.Type.BIAS);
            }
            rnn.initialize(base, DataType.FLOAT32, new Shape(new long[] {batch, PIXELS, PIXELS}, "NTC"));
            head.initialize(base, DataType.FLOAT32, new Shape(batch, HIDDEN));
            DjlSteps model = new DjlSteps();
            model.addBlock("rnn.", rnn);
            model.addBlock("head.", head);
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
            ParameterStore store = new ParameterStore(base, false);
            Loss loss = Loss.softmaxCrossEntropyLoss();
            NDArray x = base.randomUniform(0f, 1f, new Shape(batch, PIXELS, PIXELS));
            NDArray y = base.randomInteger(0, CLASSES, new Shape(batch), DataType.INT64);
            DjlSteps.Timed t = DjlSteps.timed("DjlLstm", base, List.of(x, y), warmup, steps, repeats, batch, step -> {
                NDArray l;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDList out = rnn.forward(store, new NDList(x), true);
                    NDArray hN = out.get(1).get(0);
                    NDArray logits = head.forward(store, new NDList(hN), true).singletonOrThrow();
                    l = loss.evaluate(new NDList(y), new NDList(logits));
                    gc.backward(l);
                }
                model.update(adam, model.gradients(step));
                return l;
            });
            System.out.println(new DjlJson().text("bench", cell).number("batch", batch).number("threads", threads).number("steps", steps)
                    .numbers("seq_per_s", t.rates(), 1).number("params", model.count()).number("first_loss", DjlJson.round(t.firstLoss(), 4))
                    .number("last_loss", DjlJson.round(t.lastLoss(), 4)).text("engine", DjlArgs.engineLabel()));
        }
    }
}
