package dev.kiln.samples;

import dev.kiln.train.StepResult;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;

/** Records the loss of every training step (x: fractional epoch) for the training-curve plot. */
final class LossTrace implements TrainingListener {
    private final List<double[]> points = new ArrayList<>();

    @Override
    public void onStep(Trainer trainer, StepResult s) {
        points.add(new double[] {s.epoch() + (s.batch() + 1.0) / s.batches(), s.loss()});
    }

    /** (epoch, loss) pairs averaged over windows of {@code window} steps, smoothing the batch noise. */
    List<double[]> smoothed(int window) {
        return smoothed(points, window);
    }

    /** (x, y) points averaged over consecutive windows of {@code window} points (a partial last window is dropped). */
    static List<double[]> smoothed(List<double[]> points, int window) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i + window <= points.size(); i += window) {
            double x = 0, y = 0;
            for (int j = i; j < i + window; j++) {
                x += points.get(j)[0];
                y += points.get(j)[1];
            }
            out.add(new double[] {x / window, y / window});
        }
        return out;
    }
}
