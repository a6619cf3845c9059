package dev.kiln.nn;

import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A {@link Sequential} whose steps need not pass one tensor along: each step takes the previous
 * step's output, whatever its type, and the builder's type parameter carries that type so the
 * compiler checks that the steps line up. A step is a module run by its {@code forward}, a module
 * run through another method ({@code then(lstm, LSTM::run)} gives an {@code LSTM.Result}), or a
 * plain function without parameters ({@code r -> r.hN().select(0, -1)}). Modules are owned as
 * children named by their step's position ({@code 0.weight}, {@code 1.weight_ih_l0}, ...), so the
 * pipeline trains, moves, saves and {@linkplain #summary(Tensor...) summarises} as any module;
 * errors name the failing step ({@code 3 (Linear): ...}).
 *
 * {@snippet class=dev.kiln.snippets.PipelineSnippetsTest region=pipeline}
 *
 * @param <O> what the last step gives; a {@code Pipeline<Tensor>} is a plain one-tensor module
 */
public final class Pipeline<O> extends Module {
    /** One step: a module (or null for a plain function) and how to run it on the previous output. */
    private record Step(Module module, BiFunction<Module, Object, Object> body) {}

    private final List<Step> steps;

    private Pipeline(List<Step> steps) {
        this.steps = List.copyOf(steps);
        for (int i = 0; i < this.steps.size(); i++) {
            Module m = this.steps.get(i).module();
            if (m != null) registerModule(Integer.toString(i), m);
        }
    }

    /** {@return an empty builder whose first step takes a tensor} */
    public static Builder<Tensor> builder() {
        return new Builder<>(List.of());
    }

    /**
     * Runs every step in order.
     *
     * @param input the first step's input
     * @return the last step's output (the input itself when there is no step)
     * @throws IllegalArgumentException if a step rejects its input (a {@link ModuleException} naming a module step)
     */
    @SuppressWarnings("unchecked") // the builder's types guarantee that the last step gives an O
    public O run(Tensor input) {
        Object x = input;
        for (Step s : steps) x = s.module() == null ? s.body().apply(null, x) : call(s.module(), x, s.body());
        return (O) x;
    }

    /**
     * {@link #run}, for a pipeline whose last step gives a tensor.
     *
     * @throws IllegalStateException if the last step gives something else (call {@link #run} instead)
     */
    @Override
    public Tensor forward(Tensor input) {
        Object out = run(input);
        if (out instanceof Tensor t) return t;
        throw new IllegalStateException("Pipeline: the last step gives " + (out == null ? "null" : out.getClass().getSimpleName())
                + ", not a Tensor; call run(input)");
    }

    /** {@link #run} on the one example input, whatever the last step gives. */
    @Override
    protected Object forwardForSummary(Tensor... inputs) {
        if (inputs.length != 1) throw new IllegalArgumentException("Pipeline: summary takes one example input, got " + inputs.length);
        return run(inputs[0]);
    }

    /** {@return the number of steps, modules and functions} */
    public int size() {
        return steps.size();
    }

    /**
     * The steps of a {@link Pipeline} so far; each {@code then} returns a new builder typed by what
     * its step gives, so an earlier builder can be reused.
     *
     * @param <O> what the last step so far gives
     */
    public static final class Builder<O> {
        private final List<Step> steps;

        private Builder(List<Step> steps) {
            this.steps = steps;
        }

        private <R> Builder<R> plus(Step step) {
            List<Step> next = new ArrayList<>(steps);
            next.add(step);
            return new Builder<>(next);
        }

        /**
         * Adds a step: a {@link Module} (owned by the pipeline and run by its {@code forward}, so it
         * fits only after a step that gives a tensor) or a plain function without parameters.
         *
         * @param <R>  what the step gives
         * @param step the module or function
         * @return a builder ending with this step
         */
        @SuppressWarnings("unchecked") // the step's declared input type is checked by the compiler
        public <R> Builder<R> then(Layer<? super O, ? extends R> step) {
            Objects.requireNonNull(step, "step");
            if (step instanceof Module m) return plus(new Step(m, (mod, x) -> mod.forward((Tensor) x)));
            return plus(new Step(null, (mod, x) -> step.forward((O) x)));
        }

        /**
         * Adds a module run through {@code body}, for a call other than {@code forward}: another
         * method ({@code LSTM::run}) or several arguments ({@code (mha, x) -> mha.forward(x, x, x, opts).output()}).
         *
         * @param <M>    the module's type
         * @param <R>    what the step gives
         * @param module the module, owned by the pipeline
         * @param body   the call, given the module and the previous output
         * @return a builder ending with this step
         */
        @SuppressWarnings("unchecked") // the builder's types guarantee the casts
        public <M extends Module, R> Builder<R> then(M module, BiFunction<? super M, ? super O, ? extends R> body) {
            Objects.requireNonNull(module, "module");
            Objects.requireNonNull(body, "body");
            return plus(new Step(module, (mod, x) -> body.apply((M) mod, (O) x)));
        }

        /** {@return the pipeline, owning every module step} */
        public Pipeline<O> build() {
            return new Pipeline<>(steps);
        }
    }
}
