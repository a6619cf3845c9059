package dev.kiln.samples;

import dev.kiln.Kiln;
import dev.kiln.data.ImageDataset;
import dev.kiln.data.Split;
import dev.kiln.io.AtomicFile;
import dev.kiln.io.LoadResult;
import dev.kiln.io.SafeTensors;
import dev.kiln.io.SafeTensorsFormatException;
import dev.kiln.io.StateMismatchException;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import dev.kiln.tensor.Tensor;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Evaluator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kiln evaluate --checkpoint FILE}: loads the weights of a seed-CNN checkpoint (from
 * {@code ./kiln mnist}, or written by PyTorch with the same dotted names, see
 * {@code bench/peers/torch_interop.py}) and prints its accuracy on the MNIST test images.
 * Weights only: no optimizer file is needed. {@code --logits-out} writes the logits of the first
 * test images as JSON, so that another framework's outputs can be compared number by number.
 */
public final class EvaluateCommand {
    private EvaluateCommand() {}

    /**
     * What one evaluation found.
     *
     * @param correct test images classified right
     * @param total   test images
     * @param loss    mean cross-entropy
     */
    record Result(long correct, int total, double loss) {
        double accuracy() {
            return total == 0 ? Double.NaN : (double) correct / total;
        }
    }

    static Args options() {
        return new Args("evaluate", "Test accuracy on MNIST of a seed-CNN checkpoint (weights only: ./kiln mnist's, or PyTorch's with the same names).")
                .option("checkpoint", "out/mnist.safetensors", "safetensors file with the tensors features.0.weight ... classifier.3.bias")
                .option("data", "data/mnist", "folder with the MNIST IDX files (./kiln fetch-data)")
                .backendOption()
                .option("logits-out", null, "write the logits of the first --logits-count test images and the predicted class of every one to this JSON file")
                .option("logits-count", "100", "how many test images --logits-out covers")
                .option("metrics-out", null, "write the checkpoint name, accuracy, counts and loss as JSON");
    }

    /** Runs the command; {@code --help} lists the options. */
    public static void main(String[] argv) throws Exception {
        Setup.main(argv, options(), EvaluateCommand::run);
    }

    static Result run(Args a) throws Exception {
        Path checkpoint = a.path("checkpoint");
        int logitsCount = a.integer("logits-count", 1);
        OutputPaths.checkFile(a, "logits-out");
        OutputPaths.checkFile(a, "metrics-out");
        Backend backend = Setup.backend(a);
        try (SeedCnn model = load(checkpoint, backend)) {
            ImageDataset test = Setup.load(a.path("data"), Split.TEST, "./kiln fetch-data");
            Evaluation eval = Evaluator.evaluate(model, Setup.evalLoader(test, backend), new CrossEntropyLoss());
            Result r = new Result(Math.round(eval.accuracy() * eval.size()), eval.size(), eval.loss());
            System.out.printf("checkpoint: %s%n", checkpoint);
            System.out.printf("test accuracy: %s (%d of %d right), loss %.6f%n", Report.percent(r.accuracy()), r.correct(), r.total(), r.loss());
            if (a.has("logits-out")) {
                Path out = a.path("logits-out");
                writeJson(out, logitsJson(checkpoint, model, test, Math.min(logitsCount, test.size()), eval.predictions(), backend));
                System.out.println("logits: " + out);
            }
            if (a.has("metrics-out")) {
                Setup.writeJson(a.path("metrics-out"), Json.obj("command", "evaluate", "checkpoint", checkpoint.toString(), "backend", backend.name(),
                        "test_images", r.total(), "test_correct", r.correct(), "test_accuracy", r.accuracy(), "test_loss", r.loss()));
            }
            return r;
        }
    }

    /**
     * A 10-class seed CNN on {@code backend} holding the weights of {@code checkpoint}, in evaluation mode (strict load).
     *
     * @throws Args.UsageException naming the file when it is missing, damaged, or its tensors are not the seed CNN's
     *                             (each differing tensor with the file's shape and the expected one)
     */
    static SeedCnn load(Path checkpoint, Backend backend) throws Args.UsageException, IOException {
        if (!Files.isRegularFile(checkpoint)) {
            throw new Args.UsageException("evaluate: checkpoint " + checkpoint + " not found (train one with './kiln mnist', or pass --checkpoint FILE)");
        }
        SeedCnn model = new SeedCnn(10, new Generator(0), backend);
        try {
            SafeTensors.loadInto(checkpoint, model.stateDict(), true);
            model.eval();
            return model;
        } catch (StateMismatchException e) {
            model.close();
            throw new Args.UsageException("evaluate: " + checkpoint + " does not hold the weights of the seed CNN (10 classes): "
                    + mismatch(e.result()));
        } catch (SafeTensorsFormatException e) {
            model.close();
            throw new Args.UsageException("evaluate: " + checkpoint + " is not a usable safetensors file: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** "tensor X: file has [5, 64] F32, expected [10, 64] F32; missing tensors [...]; unexpected tensors [...]". */
    private static String mismatch(LoadResult r) {
        List<String> parts = new ArrayList<>();
        for (String m : r.mismatched()) { // "name: file [5, 64] F32, target [10, 64] F32"
            int colon = m.indexOf(": ");
            parts.add("tensor " + m.substring(0, colon) + ": " + m.substring(colon + 2).replace("file ", "file has ").replace("target ", "expected "));
        }
        if (!r.missing().isEmpty()) parts.add("missing tensors " + r.missing());
        if (!r.unexpected().isEmpty()) parts.add("unexpected tensors " + r.unexpected());
        return String.join("; ", parts);
    }

    /** Logits of test images {@code 0..count-1} in one batch, with their labels, and the predicted class of every test image. */
    private static Map<String, Object> logitsJson(Path checkpoint, SeedCnn model, ImageDataset test, int count, int[] predictions, Backend backend) {
        int pixels = test.sampleShape()[1] * test.sampleShape()[2];
        float[] x = new float[count * pixels];
        for (int i = 0; i < count; i++) test.copySample(i, x, i * pixels);
        float[] logits;
        try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
            logits = model.forward(Tensor.fromArray(backend, x, count, 1, test.sampleShape()[1], test.sampleShape()[2])).toFloatArray();
        }
        int classes = logits.length / count;
        List<Object> rows = new ArrayList<>(), labels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<Object> row = new ArrayList<>();
            for (int c = 0; c < classes; c++) row.add(logits[i * classes + c]);
            rows.add(row);
            labels.add(test.label(i));
        }
        List<Object> predicted = new ArrayList<>();
        for (int p : predictions) predicted.add(p);
        return Json.obj("producer", "kiln", "checkpoint", checkpoint.toString(), "images", count, "labels", labels, "logits", rows,
                "predictions", predicted);
    }

    private static void writeJson(Path file, Map<String, Object> value) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFile.write(file, Json.write(value).getBytes(StandardCharsets.UTF_8));
    }
}
