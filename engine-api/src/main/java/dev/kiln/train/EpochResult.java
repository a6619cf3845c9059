package dev.kiln.train;

import java.util.Locale;

/**
 * The summary of one completed epoch.
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
public record EpochResult(int epoch, double trainLoss, double trainAccuracy, double evalLoss, double evalAccuracy,
                          double seconds, double imagesPerSecond, long step, double lr) {
    /** {@return true when the epoch ended with an evaluation} */
    public boolean evaluated() {
        return !Double.isNaN(evalAccuracy);
    }

    /** A compact, exactly round-tripping text form for checkpoint metadata (see {@link #decode}). */
    String encode() {
        return String.join(",", Integer.toString(epoch), Double.toString(trainLoss), Double.toString(trainAccuracy),
                Double.toString(evalLoss), Double.toString(evalAccuracy), Double.toString(seconds),
                Double.toString(imagesPerSecond), Long.toString(step), Double.toString(lr));
    }

    /**
     * Parses {@link #encode()}'s form.
     *
     * @throws IllegalArgumentException naming the text when it is malformed
     */
    static EpochResult decode(String text) {
        String[] f = text.split(",", -1);
        try {
            if (f.length != 9) throw new NumberFormatException("9 fields expected, got " + f.length);
            return new EpochResult(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]), Long.parseLong(f[7]), Double.parseDouble(f[8]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("epoch history entry \"" + text + "\" is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * {@return one line, e.g. {@code train loss 0.1532 acc 95.31% | test loss 0.0501 acc 98.40% | 92.1 s, 651 img/s}}
     *
     * @param evalName the evaluation set's name, e.g. {@code test}
     */
    public String describe(String evalName) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "train loss %.4f acc %.2f%%", trainLoss, 100 * trainAccuracy));
        if (evaluated()) sb.append(String.format(Locale.ROOT, " | %s loss %.4f acc %.2f%%", evalName, evalLoss, 100 * evalAccuracy));
        return sb.append(String.format(Locale.ROOT, " | %.1f s, %.0f img/s", seconds, imagesPerSecond)).toString();
    }
}
