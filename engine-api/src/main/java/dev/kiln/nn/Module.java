package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Device;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Base of every layer and model: named parameters (tensors that require a gradient), named
 * buffers (state such as batch-norm running statistics) and named child modules, each kept in
 * registration order. Names follow PyTorch: a child's entries are prefixed with its name and a
 * dot, so a Sequential called {@code features} exposes {@code features.0.weight}.
 *
 * <p>A module owns its parameters and buffers: they belong to no scope, and {@link #close()}
 * frees them. Not thread-safe; share a module between threads only for read-only inference.
 *
 * <p>A custom module registers its children in the constructor and runs them through
 * {@link #call} in {@link #forward}, so errors and {@link #summary} name the child:
 * {@snippet class=dev.kiln.snippets.ModuleSnippetsTest region=custom-module}
 *
 * <p>A child whose call takes several inputs or gives more than one tensor (an LSTM's sequence and
 * final states) runs through {@link #call(Module, Object, BiFunction)} with the method to call; every
 * module is also a {@link Layer}, so such steps chain with types checked, as in a {@link Pipeline}:
 * {@snippet class=dev.kiln.snippets.PipelineSnippetsTest region=custom-classifier}
 */
public abstract class Module implements AutoCloseable, Layer<Tensor, Tensor> {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Creates a module with no parameters, buffers or children, in training mode. */
    protected Module() {}

    /**
     * Computes the module's output.
     *
     * @param input the input; shape requirements are stated by each layer
     * @return the output, owned by the caller's scope
     * @throws IllegalArgumentException if the input's shape does not fit the layer (from a
     *                                  container, a {@link ModuleException} naming the failing child)
     */
    @Override
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    /**
     * Registers a parameter under {@code name}; the module takes ownership (the tensor should be
     * unscoped) and frees it on {@link #close()}.
     *
     * @param name the parameter's name within this module: non-empty, no dots
     * @param tensor an unscoped leaf tensor, usually from {@link Init}
     * @return {@code tensor}
     * @throws IllegalArgumentException if the name is empty, contains a dot, or is already used
     */
    protected final Tensor registerParameter(String name, Tensor tensor) {
        checkNewName(name);
        parameters.put(name, Objects.requireNonNull(tensor, "tensor"));
        return tensor;
    }

    /**
     * Registers a buffer (non-trained state saved with the model) under {@code name}; the module
     * takes ownership.
     *
     * @param name the buffer's name within this module: non-empty, no dots
     * @param tensor an unscoped tensor
     * @return {@code tensor}
     * @throws IllegalArgumentException if the name is empty, contains a dot, or is already used
     */
    protected final Tensor registerBuffer(String name, Tensor tensor) {
        checkNewName(name);
        buffers.put(name, Objects.requireNonNull(tensor, "tensor"));
        return tensor;
    }

    /**
     * Registers a child module under {@code name}; this module takes ownership.
     *
     * @param <M> the child's type, so the call can initialise a typed field
     * @param name the child's name within this module: non-empty, no dots
     * @param child the module to own
     * @return {@code child}
     * @throws IllegalArgumentException if the name is empty, contains a dot, or is already used
     */
    protected final <M extends Module> M registerModule(String name, M child) {
        checkNewName(name);
        children.put(name, Objects.requireNonNull(child, "child"));
        return child;
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid name '" + name + "' (non-empty, no dots)");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name + "' is already registered");
        }
    }

    /**
     * {@return this module's own parameter {@code name} (not a child's), or null}
     *
     * @param name the name it was registered under
     */
    protected final Tensor parameter(String name) {
        return parameters.get(name);
    }

    /**
     * {@return this module's own buffer {@code name} (not a child's), or null}
     *
     * @param name the name it was registered under
     */
    protected final Tensor buffer(String name) {
        return buffers.get(name);
    }

    /**
     * Runs {@code child.forward(input)}, recording its output shape for {@link #summary} and
     * labelling any {@link IllegalArgumentException} with the child's path and type.
     *
     * @param child a child registered with {@link #registerModule}
     * @param input the child's input
     * @return the child's output
     * @throws IllegalArgumentException if {@code child} is not registered here
     */
    protected final Tensor call(Module child, Tensor input) {
        return call(child, input, child::forward);
    }

    /**
     * Runs {@code body} on a child, for a call other than {@code forward(Tensor)}: several inputs, or
     * an output that is not one tensor ({@code LSTM.Result r = call(lstm, x, LSTM::run)}). As
     * {@link #call(Module, Tensor)}, errors are labelled with the child's path and type, and
     * {@link #summary} shows the output's tensor shapes (of a tensor, an array or list of them, or a
     * record's tensor components).
     *
     * @param <M>   the child's type
     * @param <I>   what the call takes
     * @param <O>   what it gives
     * @param child a child registered with {@link #registerModule}
     * @param input the call's input (a record or array for several)
     * @param body  the call, given the child and the input
     * @return what {@code body} returns
     * @throws IllegalArgumentException if {@code child} is not registered here
     */
    protected final <M extends Module, I, O> O call(M child, I input, BiFunction<? super M, ? super I, ? extends O> body) {
        String name = nameOf(child);
        O out;
        try {
            out = body.apply(child, input);
        } catch (ModuleException e) {
            throw e.under(name);
        } catch (IllegalArgumentException e) {
            throw new ModuleException(name, child.getClass().getSimpleName(), e.getMessage(), e);
        }
        Summary.record(child, out);
        return out;
    }

    /**
     * As {@link #call(Module, Tensor)}, with {@code body} computing the child's output (a fused
     * variant of its forward that must give the same result).
     */
    final Tensor call(Module child, Tensor input, java.util.function.UnaryOperator<Tensor> body) {
        String name = nameOf(child);
        Tensor out;
        try {
            out = body.apply(input);
        } catch (ModuleException e) {
            throw e.under(name);
        } catch (IllegalArgumentException e) {
            throw new ModuleException(name, child.getClass().getSimpleName(), e.getMessage(), e);
        }
        Summary.record(child, out);
        return out;
    }

    private String nameOf(Module child) {
        for (Map.Entry<String, Module> e : children.entrySet()) {
            if (e.getValue() == child) return e.getKey();
        }
        throw new IllegalArgumentException(getClass().getSimpleName() + ": " + child.getClass().getSimpleName()
                + " is not a registered child");
    }

    // ---------------------------------------------------------------- traversal

    /**
     * Every parameter of this module and its descendants, own ones first, then each child's in
     * registration order, keyed by dotted name. A tensor shared by two modules appears once,
     * under its first name.
     *
     * @return a new map from dotted name to parameter, in that order
     */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(true, "", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    /** {@return the tensors of {@link #namedParameters()}, in the same order} */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** {@return every buffer of this module and its descendants, keyed by dotted name, in the same order rules} */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(false, "", out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private void collect(boolean params, String prefix, Map<String, Tensor> out, Set<Tensor> seen) {
        for (Map.Entry<String, Tensor> e : (params ? parameters : buffers).entrySet()) {
            if (seen.add(e.getValue())) out.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Module> c : children.entrySet()) {
            c.getValue().collect(params, prefix + c.getKey() + ".", out, seen);
        }
    }

    /**
     * Everything a checkpoint holds for this model: {@link #namedParameters()} followed by
     * {@link #namedBuffers()}, as PyTorch's {@code state_dict()}. The tensors are the live ones
     * (loading into them updates the model); do not close them.
     *
     * @return a new map from dotted name to live tensor, parameters first
     * @throws IllegalStateException if a parameter and a buffer share a dotted name
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>(namedParameters());
        for (Map.Entry<String, Tensor> e : namedBuffers().entrySet()) {
            if (out.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw new IllegalStateException(getClass().getSimpleName() + ": '" + e.getKey() + "' is both a parameter and a buffer");
            }
        }
        return out;
    }

    /** {@return direct children keyed by name, in registration order (an unmodifiable view)} */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * This module (name "") and every descendant, depth first in registration order, keyed by
     * dotted path ({@code features}, {@code features.0}, ...).
     *
     * @return a new map from dotted path to module, starting with this one
     */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String path, Map<String, Module> out) {
        out.put(path, this);
        for (Map.Entry<String, Module> c : children.entrySet()) {
            c.getValue().collectModules(path.isEmpty() ? c.getKey() : path + "." + c.getKey(), out);
        }
    }

    /**
     * The descendant at a dotted path ({@code "features.3"}).
     *
     * @param path child names joined by dots
     * @return the module at that path
     * @throws IllegalArgumentException naming the first missing component
     */
    public final Module get(String path) {
        Module m = this;
        for (String part : path.split("\\.")) {
            Module next = m.children.get(part);
            if (next == null) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": no child '" + part + "' in path '" + path
                        + "' (children: " + m.children.keySet() + ")");
            }
            m = next;
        }
        return m;
    }

    /** Own parameters only (no children), for counting in {@link #summary}. */
    final Map<String, Tensor> ownParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    // ---------------------------------------------------------------- modes

    /**
     * Training mode for this module and all descendants (dropout active, batch statistics).
     *
     * @return this module
     */
    public final Module train() {
        return train(true);
    }

    /**
     * Sets training ({@code true}) or evaluation mode recursively.
     *
     * @param on {@code true} for training, {@code false} for evaluation
     * @return this module
     */
    public Module train(boolean on) {
        training = on;
        for (Module c : children.values()) c.train(on);
        return this;
    }

    /**
     * Evaluation mode recursively (dropout off, running statistics).
     *
     * @return this module
     */
    public final Module eval() {
        return train(false);
    }

    /** Sets this module's own mode flag only (for restoring modes after {@link #summary}). */
    final void restoreMode(boolean on) {
        training = on;
    }

    /** {@return whether this module is in training mode} */
    public final boolean isTraining() {
        return training;
    }

    /**
     * Freezes ({@code false}) or unfreezes ({@code true}) every parameter of this module and its
     * descendants. A frozen parameter receives no gradient and optimizers skip it. Gradients
     * already accumulated on a frozen parameter are cleared.
     *
     * @param on {@code false} to freeze, {@code true} to unfreeze
     * @return this module
     */
    public final Module requiresGrad(boolean on) {
        for (Tensor p : namedParameters().values()) {
            p.requiresGrad(on);
            if (!on) p.zeroGrad();
        }
        return this;
    }

    // ---------------------------------------------------------------- surgery

    /**
     * Replaces the child at a dotted path (e.g. {@code "classifier"} or {@code "head.2"}) with
     * {@code replacement}, keeping its position. The old module is returned, not closed: the
     * caller frees it (or keeps using it). An optimizer built before the swap still holds the
     * old parameters; build a new one.
     *
     * @param path child names joined by dots
     * @param replacement the module to put in its place
     * @return the module that was replaced
     * @throws IllegalArgumentException if no child exists at {@code path}
     */
    public final Module replace(String path, Module replacement) {
        Objects.requireNonNull(replacement, "replacement");
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? this : get(path.substring(0, dot));
        String name = path.substring(dot + 1);
        Module old = parent.children.get(name);
        if (old == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": cannot replace '" + path + "': no such child (children: "
                    + parent.children.keySet() + ")");
        }
        parent.children.put(name, replacement);
        parent.childReplaced(name, old, replacement);
        return old;
    }

    /**
     * Hook for subclasses that cache a child in a field: called after {@link #replace}.
     *
     * @param name the child's name within this module
     * @param old the module that was replaced
     * @param replacement the module now registered under {@code name}
     */
    protected void childReplaced(String name, Module old, Module replacement) {}

    // ---------------------------------------------------------------- devices and lifetime

    /**
     * Moves every parameter and buffer to {@code backend}'s device (a no-op for tensors already
     * there), keeping requires-grad flags and dropping accumulated gradients. Move a model before
     * creating its optimizer: the optimizer keeps references to the tensors it was given.
     *
     * @param backend where the tensors should live
     * @return this module
     */
    public final Module to(Backend backend) {
        try (var _ = Kiln.noGrad()) {
            moveAll(parameters, backend);
            moveAll(buffers, backend);
        }
        for (Module c : children.values()) c.to(backend);
        return this;
    }

    /**
     * {@link #to(Backend)} with the backend of {@code device}.
     *
     * @param device where the tensors should live
     * @return this module
     */
    public final Module to(Device device) {
        return to(Kiln.backend(device));
    }

    private static void moveAll(Map<String, Tensor> tensors, Backend backend) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor old = e.getValue();
            if (old.backend() == backend) continue;
            boolean grad = old.requiresGrad();
            Tensor moved = old.to(backend).unscope(); // under noGrad: a plain copy, no graph
            if (grad) moved.requiresGrad(true);
            e.setValue(moved);
            old.close();
        }
    }

    /**
     * The backend holding this module's first parameter or buffer, or the default backend for a
     * module without any.
     *
     * @return the backend of the module's tensors
     */
    public final Backend backend() {
        for (Tensor t : namedParameters().values()) return t.backend();
        for (Tensor t : namedBuffers().values()) return t.backend();
        return Kiln.backend();
    }

    /**
     * A table of the layers, their output shapes for an input of {@code inputShape} (found by a
     * forward pass on zeros without gradients, in evaluation mode so that no running statistic or
     * random stream changes; each module's mode is restored afterwards), their own parameter counts,
     * and the total and trainable counts. Layers a custom module invokes without {@link #call}
     * show "-" as output shape.
     *
     * @param inputShape full input shape including the batch dimension, e.g. {@code 1, 1, 28, 28}
     * @return the table, one line per layer, ready to print
     * @throws IllegalArgumentException if the forward pass rejects the shape
     */
    public final String summary(int... inputShape) {
        return Summary.of(this, inputShape);
    }

    /**
     * {@link #summary(int...)} for a forward pass on the given example inputs, for inputs that are
     * not FLOAT32 (an {@link Embedding}'s INT64 token ids) or more than one (a
     * {@link MultiheadAttention}'s query, key and value). The inputs run through
     * {@link #forwardForSummary}, which calls {@link #forward} on one input; the caller keeps
     * ownership of them.
     *
     * @param exampleInputs inputs of the forward pass, batch dimension included
     * @return the table, one line per layer, ready to print
     * @throws IllegalArgumentException if the forward pass rejects the inputs
     */
    public final String summary(Tensor... exampleInputs) {
        return Summary.of(this, exampleInputs);
    }

    /**
     * The forward pass of {@link #summary(Tensor...)}: {@link #forward} on one input. A module whose
     * natural call takes several tensors overrides it to accept them too.
     *
     * @param inputs the example inputs
     * @return the output: a tensor, or any value whose tensors summary can list (see {@link #call(Module, Object, BiFunction)})
     * @throws IllegalArgumentException if this module does not take that many inputs
     */
    protected Object forwardForSummary(Tensor... inputs) {
        if (inputs.length != 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": summary runs forward(Tensor) on one example input, got "
                    + inputs.length);
        }
        return forward(inputs[0]);
    }

    /** Frees every parameter and buffer of this module and its descendants. Idempotent. */
    @Override
    public void close() {
        parameters.values().forEach(Tensor::close);
        buffers.values().forEach(Tensor::close);
        for (Module c : children.values()) c.close();
    }

    /** {@return extra text in {@link #toString()}, e.g. {@code "1, 32, kernel=3x3"}; empty by default} */
    protected String extraRepr() {
        return "";
    }

    /** PyTorch-style tree: {@code Sequential(\n  (0): Conv2d(1, 32, kernel=3x3)\n ...)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            for (Map.Entry<String, Module> c : children.entrySet()) {
                sb.append("  (").append(c.getKey()).append("): ")
                        .append(c.getValue().toString().replace("\n", "\n  ")).append('\n');
            }
        }
        return sb.append(')').toString();
    }

    // ---- LoRA and fine-tuning (issue 12) ----

    /**
     * The parameters that require a gradient (not frozen), as {@link #namedParameters()} orders and
     * names them: what an optimizer for fine-tuning should hold.
     *
     * @return a new map from dotted name to trainable parameter
     */
    public final Map<String, Tensor> namedTrainableParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> { if (p.requiresGrad()) out.put(k, p); });
        return out;
    }

    /** {@return the tensors of {@link #namedTrainableParameters()}, in the same order} */
    public final List<Tensor> trainableParameters() {
        return new ArrayList<>(namedTrainableParameters().values());
    }
}
