package dev.kiln.train;

import dev.kiln.data.Batch;
import dev.kiln.nn.Module;
import dev.kiln.tensor.Tensor;

/**
 * How a {@link Trainer} (or the {@link Evaluator}) calls the model on a batch: the hook that maps
 * a batch's fields to the model's inputs, for models with several inputs or options, e.g.
 * {@code (m, b) -> encoder.forward(b.get("tokens"), b.get("padding_mask"))}. The default,
 * {@link #singleInput()}, calls {@link Module#forward} with the batch's only input.
 */
@FunctionalInterface
public interface BatchForward {
    /**
     * The model's output for {@code batch}: what the loss and the metrics get with the batch's target.
     *
     * @param model the trainer's model
     * @param batch the batch, its tensors on the model's backend
     * @return the output, owned by the step's scope
     */
    Tensor apply(Module model, Batch batch);

    /** {@return {@code model.forward(batch.input())}: the batch's only input field (an image batch's images)} */
    static BatchForward singleInput() {
        return (model, batch) -> model.forward(batch.input());
    }
}
