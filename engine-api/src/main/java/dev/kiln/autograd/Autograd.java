package dev.kiln.autograd;

import dev.kiln.internal.Pin;
import dev.kiln.internal.TensorAccess;
import dev.kiln.spi.BinaryOp;
import dev.kiln.spi.Broadcast;
import dev.kiln.tensor.Scope;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The define-by-run tape: ops {@link #record} a {@link Node} on their output when an input
 * requires a gradient and grad mode is on; {@link #backward} walks the graph in reverse
 * topological order and accumulates leaf gradients, then frees the graph it went through (as
 * PyTorch does without {@code retain_graph}): a second backward through the same nodes fails.
 */
public final class Autograd {
    private Autograd() {}

    /**
     * {@return true when grad mode is on and any of {@code inputs} requires a gradient}
     *
     * @param inputs an op's inputs; null entries are ignored
     */
    public static boolean needsGrad(Tensor... inputs) {
        if (!GradMode.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * Records that {@code output} was computed by {@code op} from {@code inputs}. The backward
     * rule returns one gradient per input (null for inputs without one), each of the input's shape.
     *
     * @param op the op's name, shown in errors and graph dumps
     * @param output the op's result, which becomes a non-leaf
     * @param inputs the op's tensor inputs, in order
     * @param backward the op's gradient rule
     */
    public static void record(String op, Tensor output, Tensor[] inputs, BackwardFunction backward) {
        TensorAccess.setGradFn(output, new Node(op, inputs, backward));
    }

    /**
     * Backpropagates from {@code root}. {@code gradRoot} null means ones (root must be a scalar).
     * Intermediate gradients are freed before returning; leaf gradients accumulate. On success the
     * graph's nodes drop their backward rules, so a second pass through them fails.
     *
     * @param root the tensor to differentiate, usually a scalar loss
     * @param gradRoot gradient of the final objective with respect to {@code root}, or null for ones
     * @throws IllegalStateException if root does not require grad, if the graph was already
     *                               freed by an earlier backward, or if one of its tensors was closed
     */
    public static void backward(Tensor root, Tensor gradRoot) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: tensor of shape " + Shape.str(root.shape())
                    + " does not require grad and has no grad_fn");
        }
        if (gradRoot != null && !Arrays.equals(gradRoot.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: gradient shape " + Shape.str(gradRoot.shape())
                    + " does not match tensor shape " + Shape.str(root.shape()));
        }
        List<Tensor> order = topologicalOrder(root);
        try (Scope scope = Scope.open(); GradMode.Restore noGrad = GradMode.disable()) {
            Map<Tensor, Tensor> grads = new IdentityHashMap<>();
            grads.put(root, gradRoot != null ? gradRoot : Tensor.full(root.backend(), 1f, root.shape()));
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) continue;
                Node node = t.gradFn();
                if (node == null) {
                    if (t.requiresGrad()) accumulateLeaf(t, g);
                    continue;
                }
                Tensor[] inputs = node.rawInputs();
                Tensor[] inputGrads = node.backward().apply(g);
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    if (in == null || !in.requiresGrad() || inputGrads[k] == null) continue;
                    Tensor ig = inputGrads[k];
                    if (!Arrays.equals(ig.shape(), in.shape())) {
                        throw new IllegalStateException(node.op() + " backward: gradient for input " + k + " has shape "
                                + Shape.str(ig.shape()) + ", expected " + Shape.str(in.shape()));
                    }
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? ig : add(prev, ig));
                }
            }
        }
        for (Tensor t : order) {
            Node node = t.gradFn();
            if (node != null) node.free();
        }
    }

    private static void usable(Tensor t, Node node) {
        if (t.isClosed()) {
            throw new IllegalStateException("backward: a tensor of shape " + Shape.str(t.shape()) + " in the graph was closed"
                    + " (by close() or by the scope that created it); call backward() before closing the graph's tensors");
        }
        if (node != null && node.isFreed()) {
            throw new IllegalStateException("backward: trying to backward through the graph a second time (" + node
                    + " was freed by an earlier backward()); Kiln has no retainGraph: sum the losses and call backward() once,"
                    + " or run the forward pass again");
        }
    }

    /** Sums two gradients; either may be the caller's {@code gradRoot} (passed through by a backward rule), so both are pinned. */
    private static Tensor add(Tensor a, Tensor b) {
        Tensor out = TensorAccess.empty(a.backend(), a.shape());
        try (Pin pa = TensorAccess.pin("backward", a); Pin pb = TensorAccess.pin("backward", b)) {
            a.backend().binary(BinaryOp.ADD, new Broadcast(a.shape(), a.shape(), b.shape()), pa.storage(), pb.storage(),
                    TensorAccess.storage(out));
        }
        return out;
    }

    /** Adds {@code g} (possibly the caller's {@code gradRoot}, so pinned like the leaf's gradient) to the leaf's gradient. */
    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        Tensor existing = leaf.grad();
        if (existing == null) {
            Tensor copy = TensorAccess.empty(g.backend(), g.shape());
            try (Pin pg = TensorAccess.pin("backward", g)) {
                g.backend().copy(pg.storage(), TensorAccess.storage(copy));
            }
            leaf.setGrad(copy);
        } else {
            try (Pin e = TensorAccess.pin("backward", existing); Pin pg = TensorAccess.pin("backward", g)) { // user-visible tensors
                existing.backend().binary(BinaryOp.ADD, new Broadcast(existing.shape(), existing.shape(), g.shape()),
                        e.storage(), pg.storage(), e.storage());
            }
        }
    }

    /**
     * Tensors reachable from root through grad_fn edges, each after all of its inputs.
     *
     * @throws IllegalStateException if a node was freed by an earlier backward or a tensor was closed
     */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.gradFn();
            if (next == 0) usable(t, node);
            Tensor[] inputs = node == null ? new Tensor[0] : node.rawInputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && visited.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
