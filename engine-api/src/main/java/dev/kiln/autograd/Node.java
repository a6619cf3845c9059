package dev.kiln.autograd;

import dev.kiln.tensor.Tensor;

/**
 * One recorded operation of the tape: the op's name, its inputs and its backward rule.
 * Created by ops through {@link Autograd#record}; users only see it via {@link Tensor#gradFn()}.
 */
public final class Node {
    private final String op;
    private final Tensor[] inputs;
    private BackwardFunction backward;

    Node(String op, Tensor[] inputs, BackwardFunction backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** {@return the op that produced the tensor ("conv2d", "add", ...)} */
    public String op() {
        return op;
    }

    /** {@return the op's tensor inputs, in order} */
    public Tensor[] inputs() {
        return inputs.clone();
    }

    Tensor[] rawInputs() {
        return inputs;
    }

    /** The backward rule, or null once {@link #free() freed}. */
    BackwardFunction backward() {
        return backward;
    }

    /** Drops the backward rule (and the tensors it saved) after a backward pass went through this node. */
    void free() {
        backward = null;
    }

    /** True once a backward pass went through this node. */
    boolean isFreed() {
        return backward == null;
    }

    @Override
    public String toString() {
        return op + "Backward";
    }
}
