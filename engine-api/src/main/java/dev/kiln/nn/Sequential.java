package dev.kiln.nn;

import dev.kiln.tensor.Tensor;
import java.util.List;

/**
 * Applies its children in order, each to the previous one's output. Children are named
 * {@code "0"}, {@code "1"}, ... in the order added, so parameters read {@code 0.weight},
 * {@code 3.bias}, and inside a parent {@code features.0.weight}. An invalid input is reported
 * with the failing child's path and type ({@code 3 (Conv2d): conv2d: ...}).
 * {@snippet class=dev.kiln.snippets.ModuleSnippetsTest region=sequential}
 */
public class Sequential extends Module {
    private int size;

    /**
     * A container of {@code layers}, named by position.
     *
     * @param layers the children, applied in this order
     */
    public Sequential(Module... layers) {
        for (Module m : layers) add(m);
    }

    /**
     * Appends {@code layer} under the next index name; returns this.
     *
     * @param layer the module to apply after the current last one
     * @return this container
     */
    public Sequential add(Module layer) {
        registerModule(Integer.toString(size++), layer);
        return this;
    }

    /**
     * The child at {@code index}.
     *
     * @param index position, from 0
     * @return the child at that position
     * @throws IndexOutOfBoundsException if {@code index} is not in [0, size)
     */
    public Module get(int index) {
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException("Sequential: index " + index + " out of range for " + size + " layers");
        return namedChildren().get(Integer.toString(index));
    }

    /** {@return number of children} */
    public int size() {
        return size;
    }

    /**
     * Output of the last child (the input itself when empty); shapes as the children require.
     * A {@link Conv2d} directly followed by a {@link ReLU} runs as one fused convolution + ReLU
     * (one pass less over the activations; the result is the same), and when a {@link MaxPool2d}
     * follows those two, as one fused convolution + ReLU + max pool (except in a {@link #summary}
     * pass, which shows each layer's output shape).
     */
    @Override
    public Tensor forward(Tensor input) {
        List<Module> layers = List.copyOf(namedChildren().values());
        Tensor x = input;
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (i + 2 < layers.size() && m.getClass() == Conv2d.class && layers.get(i + 1).getClass() == ReLU.class
                    && layers.get(i + 2).getClass() == MaxPool2d.class && !Summary.recording()) {
                Conv2d conv = (Conv2d) m;
                MaxPool2d pool = (MaxPool2d) layers.get(i + 2);
                x = call(conv, x, in -> conv.forwardReluMaxPool(in, pool));
                // The activation between the fused layers is never materialised (a summary pass runs them unfused, to show its shape).
                i += 2;
            } else if (i + 1 < layers.size() && m.getClass() == Conv2d.class && layers.get(i + 1).getClass() == ReLU.class) {
                Conv2d conv = (Conv2d) m;
                x = call(conv, x, conv::forwardRelu);
                Summary.record(layers.get(++i), x);
            } else {
                x = call(m, x);
            }
        }
        return x;
    }
}
