package dev.kiln.samples;

import dev.kiln.optim.Adam;
import java.nio.file.Path;

/**
 * {@code ./kiln seq-mnist --model lstm|gru|transformer}: MNIST read as a sequence of 28 rows of 28
 * pixels ({@link SeqModels}), trained with Adam (lr 1e-3, batch 64), a cosine decay to 0 stepped
 * every batch and the gradients' global norm clipped at 1, as the PyTorch peer
 * {@code bench/peers/torch_seq.py seq-mnist}. Conventions as {@code ./kiln mnist}.
 */
public final class SeqMnistCommand {
    /** Stands for the model's name in the default checkpoint path. */
    private static final String MODEL = "MODEL";

    private SeqMnistCommand() {}

    static Args options() {
        return new Args("seq-mnist", "Train a sequence model on MNIST read as 28 time steps of 28 pixels: an LSTM or GRU (hidden 128,\n"
                + "last step -> Linear) or a 2-layer pre-norm transformer encoder (width 64, mean over time -> Linear).")
                .option("model", "lstm", "lstm, gru or transformer")
                .option("epochs", "5", "epochs to train (in all, counting those of a resumed checkpoint)")
                .option("batch-size", "64", "training batch size")
                .option("lr", "0.001", "Adam learning rate (the peak of the cosine schedule)")
                .option("clip", "1.0", "largest global gradient norm (0: no clipping)")
                .backendOption()
                .option("data", "data/mnist", "folder with the MNIST IDX files (./kiln fetch-data)")
                .option("seed", "42", "seed of the initial weights and the data order")
                .option("checkpoint", "out/seq-mnist-" + MODEL + ".safetensors", "checkpoint written after every epoch (plus its .optim.<id>.safetensors)")
                .option("resume", null, "resume training from this checkpoint")
                .option("metrics-out", null, "write metrics JSON to this file")
                .option("report", null, "write curves.png, confusion.png and misclassified.png into this folder")
                .flag("allow-nonfinite-loss", "train on when a batch's loss is NaN or infinite (default: stop, keeping the last checkpoint)");
    }

    /** Runs the command; {@code --help} lists the options. */
    public static void main(String[] argv) throws Exception {
        Setup.main(argv, options(), SeqMnistCommand::run);
    }

    static void run(Args a) throws Exception {
        String model = a.choice("model", "lstm", "gru", "transformer");
        double lr = a.positive("lr"), clip = nonNegative(a, "clip");
        Path checkpoint = Path.of(a.string("checkpoint").replace(MODEL, model));
        SeqTraining.run(a, new SeqTraining.Spec("seq-mnist-" + model, checkpoint, (init, backend) -> SeqModels.seqMnist(model, init, backend),
                m -> new Adam(m.parameters(), lr), "Adam lr " + a.string("lr"), 0, clip,
                Json.obj("model", model, "optimizer", "adam", "lr", lr, "schedule", "cosine")));
    }

    /** A finite number of at least 0. */
    static double nonNegative(Args a, String name) throws Args.UsageException {
        String v = a.string(name);
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw a.usage("--" + name + " must be a number, got '" + Failures.shorten(v, 40) + "'");
        }
        if (!(d >= 0) || Double.isInfinite(d)) throw a.usage("--" + name + " must be a finite number >= 0, got " + Failures.shorten(v, 40));
        return d;
    }
}
