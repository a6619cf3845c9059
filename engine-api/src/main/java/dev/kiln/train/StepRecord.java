package dev.kiln.train;

/**
 * One row of a {@link StepTrainer}'s {@link StepTrainer#history()}: for loss curves and metrics files.
 *
 * @param step       optimizer steps taken
 * @param trainLoss  the mean training loss of the steps since the previous row
 * @param valLoss    the validation loss evaluated at this step, or NaN when there was no evaluation
 * @param perplexity {@code exp(valLoss)}, or NaN
 * @param lr         the learning rate of the first parameter group during this step
 * @param seconds    training time so far, evaluations included, counting runs before a resume
 */
public record StepRecord(long step, double trainLoss, double valLoss, double perplexity, double lr, double seconds) {
    /** A compact, exactly round-tripping text form for checkpoint metadata (see {@link #decode}). */
    String encode() {
        return step + "," + trainLoss + "," + valLoss + "," + perplexity + "," + lr + "," + seconds;
    }

    /**
     * Parses {@link #encode()}'s form.
     *
     * @throws IllegalArgumentException naming the text when it is malformed
     */
    static StepRecord decode(String text) {
        String[] f = text.split(",", -1);
        try {
            if (f.length != 6) throw new NumberFormatException("6 fields expected, got " + f.length);
            return new StepRecord(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]), Double.parseDouble(f[5]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("history row \"" + dev.kiln.internal.Excerpt.of(text, 100) + "\" is malformed (" + e.getMessage() + ")", e);
        }
    }
}
