package dev.kiln.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The summary of one completed epoch.
 *
 * @param epoch            epoch index, from 0
 * @param trainLoss        mean training loss per sample over the epoch
 * @param trainAccuracy    fraction of training samples predicted correctly (while training); NaN when the trainer
 *                         has no metric named {@code accuracy}
 * @param evalLoss         mean loss on the evaluation set after the epoch, NaN without one
 * @param evalAccuracy     accuracy on the evaluation set after the epoch, NaN without one (or without an
 *                         {@code accuracy} metric)
 * @param seconds          wall time of the epoch's training (evaluation excluded)
 * @param imagesPerSecond  training samples per second over the epoch
 * @param step             optimizer steps taken when the epoch ended
 * @param lr               learning rate of the first parameter group at the end of the epoch
 * @param trainMetrics     every training metric's value over the epoch, by name, in the trainer's order (unmodifiable)
 * @param evalMetrics      every metric's value on the evaluation set, by name; empty without one (unmodifiable)
 */
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double evalLoss, double evalAccuracy,
                          double seconds, double imagesPerSecond, long step, double lr, Map<String, Double> trainMetrics,
                          Map<String, Double> evalMetrics) {
    /** Copies the maps, keeping their order. */
    public EpochResult {
        trainMetrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(trainMetrics));
        evalMetrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evalMetrics));
    }

    /**
     * A classifier's epoch: the metrics are its accuracies (under {@code accuracy}, where not NaN).
     *
     * @param epoch            epoch index, from 0
     * @param trainLoss        mean training loss per sample over the epoch
     * @param trainAccuracy    fraction of training samples predicted correctly (while training)
     * @param evalLoss         mean loss on the evaluation set after the epoch, NaN without one
     * @param evalAccuracy     accuracy on the evaluation set after the epoch, NaN without one
     * @param seconds          wall time of the epoch's training (evaluation excluded)
     * @param imagesPerSecond  training samples per second over the epoch
     * @param step             optimizer steps taken when the epoch ended
     * @param lr               learning rate of the first parameter group at the end of the epoch
     */
    public EpochResult(int epoch, double trainLoss, double trainAccuracy, double evalLoss, double evalAccuracy, double seconds,
                       double imagesPerSecond, long step, double lr) {
        this(epoch, trainLoss, trainAccuracy, evalLoss, evalAccuracy, seconds, imagesPerSecond, step, lr, accuracy(trainAccuracy),
                accuracy(evalAccuracy));
    }

    private static Map<String, Double> accuracy(double value) {
        return Double.isNaN(value) ? Map.of() : Map.of("accuracy", value);
    }

    /** {@return true when the epoch ended with an evaluation} */
    public boolean evaluated() {
        return !Double.isNaN(evalAccuracy) || !Double.isNaN(evalLoss) || !evalMetrics.isEmpty();
    }

    /** A compact, exactly round-tripping text form for checkpoint metadata (see {@link #decode}). */
    String encode() {
        StringBuilder sb = new StringBuilder(String.join(",", Integer.toString(epoch), Double.toString(trainLoss),
                Double.toString(trainAccuracy), Double.toString(evalLoss), Double.toString(evalAccuracy), Double.toString(seconds),
                Double.toString(imagesPerSecond), Long.toString(step), Double.toString(lr)));
        trainMetrics.forEach((k, v) -> sb.append(",train:").append(k).append('=').append(v));
        evalMetrics.forEach((k, v) -> sb.append(",eval:").append(k).append('=').append(v));
        return sb.toString();
    }

    /**
     * Parses {@link #encode()}'s form (and the 9-field form written before metrics were named).
     *
     * @throws IllegalArgumentException naming the text when it is malformed
     */
    static EpochResult decode(String text) {
        String[] f = text.split(",", -1);
        try {
            if (f.length < 9) throw new NumberFormatException("9 fields expected, got " + f.length);
            double trainAcc = Double.parseDouble(f[2]), evalAcc = Double.parseDouble(f[4]);
            Map<String, Double> train = new LinkedHashMap<>(), eval = new LinkedHashMap<>();
            if (f.length == 9) { // written before metrics were named: accuracy only
                train.putAll(accuracy(trainAcc));
                eval.putAll(accuracy(evalAcc));
            }
            for (int i = 9; i < f.length; i++) {
                int colon = f[i].indexOf(':'), eq = f[i].indexOf('=');
                if (colon < 0 || eq < colon) throw new NumberFormatException("metric field \"" + f[i] + "\" is not set:name=value");
                String set = f[i].substring(0, colon);
                Map<String, Double> into = switch (set) {
                    case "train" -> train;
                    case "eval" -> eval;
                    default -> throw new NumberFormatException("metric field \"" + f[i] + "\" is neither train: nor eval:");
                };
                into.put(f[i].substring(colon + 1, eq), Double.parseDouble(f[i].substring(eq + 1)));
            }
            return new EpochResult(Integer.parseInt(f[0]), Double.parseDouble(f[1]), trainAcc, Double.parseDouble(f[3]), evalAcc,
                    Double.parseDouble(f[5]), Double.parseDouble(f[6]), Long.parseLong(f[7]), Double.parseDouble(f[8]), train, eval);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("epoch history entry \"" + text + "\" is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * {@return one line, e.g. {@code train loss 0.1532 acc 95.31% | test loss 0.0501 acc 98.40% | 92.1 s, 651 img/s}}
     * Metrics other than accuracy appear under their names.
     *
     * @param evalName the evaluation set's name, e.g. {@code test}
     */
    public String describe(String evalName) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "train loss %.4f", trainLoss)).append(figures(trainMetrics));
        if (evaluated()) sb.append(String.format(Locale.ROOT, " | %s loss %.4f", evalName, evalLoss)).append(figures(evalMetrics));
        return sb.append(String.format(Locale.ROOT, " | %.1f s, %.0f img/s", seconds, imagesPerSecond)).toString();
    }

    /** " acc 95.31%" for accuracy, " token_accuracy 91.20%" for other accuracies, " name 0.1234" for the rest. */
    static String figures(Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((name, v) -> {
            if (name.equals("accuracy")) sb.append(String.format(Locale.ROOT, " acc %.2f%%", 100 * v));
            else if (name.contains("accuracy")) sb.append(String.format(Locale.ROOT, " %s %.2f%%", name, 100 * v));
            else sb.append(String.format(Locale.ROOT, " %s %.4f", name, v));
        });
        return sb.toString();
    }
}
