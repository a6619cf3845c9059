package dev.kiln.nn;

import java.util.Objects;

/**
 * One step of a model as a typed function from {@code I} to {@code O}, so steps whose inputs or
 * outputs are not one tensor still compose with the compiler checking that the types line up.
 * Every {@link Module} is a {@code Layer<Tensor, Tensor>}; a method reference picks another entry
 * point ({@code lstm::run} is a {@code Layer<Tensor, LSTM.Result>}) and a lambda adapts between them
 * ({@code r -> r.hN()}). {@link #andThen} chains plain functions; to train and summarise such a
 * chain, build it as a {@link Pipeline}, which owns the modules.
 *
 * @param <I> what the step takes
 * @param <O> what it gives
 */
@FunctionalInterface
public interface Layer<I, O> {
    /**
     * Runs the step.
     *
     * @param input the step's input
     * @return its output
     */
    O forward(I input);

    /**
     * {@return this step followed by {@code next}}
     *
     * @param <R>  what {@code next} gives
     * @param next the step that takes this one's output
     */
    default <R> Layer<I, R> andThen(Layer<? super O, ? extends R> next) {
        Objects.requireNonNull(next, "next");
        return x -> next.forward(forward(x));
    }
}
