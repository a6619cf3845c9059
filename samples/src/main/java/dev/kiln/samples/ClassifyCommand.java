package dev.kiln.samples;

import dev.kiln.spi.Backend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ./kiln classify --checkpoint FILE IMAGE.png...}: the {@link Predictor} embedding example
 * at work: one predictor shared by a pool of threads classifying the given images concurrently.
 */
public final class ClassifyCommand {
    private ClassifyCommand() {}

    static Args options() {
        return new Args("classify", "Classify digit images (PNG) with a trained ./kiln mnist checkpoint, from several threads.\n"
                + "Arguments after the options are image files.")
                .option("checkpoint", "out/mnist.safetensors", "checkpoint of ./kiln mnist")
                .option("threads", "4", "threads sharing the one predictor")
                .backendOption()
                .positional();
    }

    /** Runs the command; {@code --help} lists the options. */
    public static void main(String[] argv) throws Exception {
        Setup.main(argv, options(), ClassifyCommand::run);
    }

    private static void run(Args a) throws Exception {
        if (a.positionals().isEmpty()) throw a.usage("no image files given");
        Backend backend = Setup.backend(a);
        ExecutorService pool = Executors.newFixedThreadPool(a.integer("threads", 1));
        try (Predictor predictor = Predictor.load(a.path("checkpoint"), backend)) {
            List<Future<String>> results = new ArrayList<>();
            for (String file : a.positionals()) {
                results.add(pool.submit(() -> {
                    Predictor.Prediction p = predictor.classify(Path.of(file));
                    return String.format(Locale.ROOT, "%s: %d (%.1f%%) [%s]", file, p.label(), 100 * p.confidence(), Thread.currentThread().getName());
                }));
            }
            for (Future<String> r : results) System.out.println(r.get());
        } finally {
            pool.shutdown();
        }
    }
}
