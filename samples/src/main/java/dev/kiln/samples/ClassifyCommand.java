package dev.kiln.samples;

import dev.kiln.spi.Backend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ./kiln classify --checkpoint FILE IMAGE.png...}: the {@link Predictor} embedding example
 * at work: one predictor shared by a pool of threads classifying the given images concurrently.
 * An image that cannot be classified (missing, not an image, damaged, too large) is reported on
 * its own line on stderr with its name and the reason, the others are still classified, and the
 * command exits with status 1.
 */
public final class ClassifyCommand {
    private ClassifyCommand() {}

    static Args options() {
        return new Args("classify", "Classify digit images (PNG) with a trained ./kiln mnist checkpoint, from several threads.\n"
                + "Arguments after the options are image files.")
                .option("checkpoint", "out/mnist.safetensors", "checkpoint of ./kiln mnist")
                .option("threads", "4", "threads sharing the one predictor")
                .option("max-pixels", Long.toString(Predictor.DEFAULT_MAX_PIXELS), "largest image (width x height) decoded; larger ones are refused")
                .backendOption()
                .positional();
    }

    /** Runs the command; {@code --help} lists the options. Exits with status 1 when an image could not be classified. */
    public static void main(String[] argv) throws Exception {
        Setup.main(argv, options(), a -> {
            if (run(a, System.out, System.err) > 0) System.exit(1);
        });
    }

    /**
     * Classifies every image given, printing one line per image in the order given: the label on
     * {@code out}, or the file and why it failed on {@code err}.
     *
     * @return how many images could not be classified
     */
    static int run(Args a, PrintStream out, PrintStream err) throws Exception {
        if (a.positionals().isEmpty()) throw a.usage("no image files given");
        long maxPixels = a.longValue("max-pixels");
        if (maxPixels < 1) throw a.usage("--max-pixels must be >= 1, got " + maxPixels);
        int threads = a.integer("threads", 1);
        Backend backend = Setup.backend(a);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int failed = 0;
        try (Predictor predictor = Predictor.load(a.path("checkpoint"), backend, maxPixels)) {
            List<Future<String>> results = new ArrayList<>();
            for (String file : a.positionals()) {
                results.add(pool.submit(() -> {
                    Predictor.Prediction p = predictor.classify(Path.of(file));
                    return String.format(Locale.ROOT, "%s: %d (%.1f%%) [%s]", file, p.label(), 100 * p.confidence(), Thread.currentThread().getName());
                }));
            }
            for (int i = 0; i < results.size(); i++) {
                try {
                    out.println(results.get(i).get());
                } catch (ExecutionException e) {
                    failed++;
                    err.println("classify: " + failure(a.positionals().get(i), e.getCause()));
                }
            }
        } finally {
            pool.shutdown();
        }
        if (failed > 0) err.println("classify: " + failed + " of " + a.positionals().size() + " images could not be classified");
        return failed;
    }

    /** "file: reason"; the predictor's IOExceptions already start with the file name. */
    private static String failure(String file, Throwable cause) {
        String why = cause instanceof IOException && cause.getMessage() != null ? cause.getMessage() : String.valueOf(cause);
        return why.startsWith(file) ? why : file + ": " + why;
    }
}
