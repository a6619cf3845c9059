package dev.kiln.samples;

import dev.kiln.optim.AdamW;

/**
 * {@code ./kiln vit}: a small Vision Transformer ({@link SeqModels.Vit}: 7x7 patches, width 64, 4
 * pre-norm encoder layers) on MNIST, trained with AdamW (lr 1e-3, weight decay 0.05, batch 128),
 * one epoch of linear warm-up then a cosine decay to 0, stepped every batch, as the PyTorch peer
 * {@code bench/peers/torch_seq.py vit}. Conventions as {@code ./kiln mnist}.
 */
public final class VitCommand {
    private VitCommand() {}

    static Args options() {
        return new Args("vit", "Train a small Vision Transformer on MNIST: 7x7 patches (16 tokens) and a class token, width 64,\n"
                + "4 pre-norm encoder layers (4 heads, MLP 128, GELU), final LayerNorm, Linear on the class token.")
                .option("epochs", "10", "epochs to train (in all, counting those of a resumed checkpoint)")
                .option("batch-size", "128", "training batch size")
                .option("lr", "0.001", "AdamW learning rate (the peak of the schedule)")
                .option("weight-decay", "0.05", "AdamW's decoupled weight decay")
                .option("warmup-epochs", "1", "epochs of linear warm-up before the cosine decay")
                .backendOption()
                .option("data", "data/mnist", "folder with the MNIST IDX files (./kiln fetch-data)")
                .option("seed", "42", "seed of the initial weights and the data order")
                .option("checkpoint", "out/vit.safetensors", "checkpoint written after every epoch (plus its .optim.<id>.safetensors)")
                .option("resume", null, "resume training from this checkpoint")
                .option("metrics-out", null, "write metrics JSON to this file")
                .option("report", null, "write curves.png, confusion.png and misclassified.png into this folder")
                .flag("allow-nonfinite-loss", "train on when a batch's loss is NaN or infinite (default: stop, keeping the last checkpoint)");
    }

    /** Runs the command; {@code --help} lists the options. */
    public static void main(String[] argv) throws Exception {
        Setup.main(argv, options(), VitCommand::run);
    }

    static void run(Args a) throws Exception {
        double lr = a.positive("lr"), wd = SeqMnistCommand.nonNegative(a, "weight-decay");
        int epochs = a.integer("epochs", 1, MnistCommand.MAX_EPOCHS);
        int warmup = a.integer("warmup-epochs", 0, epochs);
        SeqTraining.run(a, new SeqTraining.Spec("vit", a.path("checkpoint"), SeqModels.Vit::new,
                m -> AdamW.builder(m.parameters()).lr(lr).weightDecay(wd).build(),
                "AdamW lr " + a.string("lr") + " weight decay " + a.string("weight-decay"), warmup, 0,
                Json.obj("optimizer", "adamw", "lr", lr, "weight_decay", wd, "schedule", "warmup-cosine")));
    }
}
