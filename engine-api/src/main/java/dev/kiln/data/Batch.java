package dev.kiln.data;

import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One batch as tensors on the loader's backend: named fields in order, each with the batch as
 * dimension 0, of which at most one is the target and the others are the model's inputs. An
 * image loader's batch has two: {@code images} FLOAT32 [B, ...sampleShape] (e.g. [64, 1, 28, 28])
 * and the target {@code labels} INT32 [B]. A {@link TensorDataset}'s batch has its fields, plus
 * what its {@link Collate} adds (e.g. {@code lengths} and {@code padding_mask}).
 *
 * <p>A batch from {@link DataLoader#epoch} belongs to its {@link Epoch}, not to any scope: the
 * epoch frees it when the next batch is requested or the epoch ends, so a plain
 * {@code for (Batch b : epoch)} loop never accumulates batches (and needs no scope for them).
 * Use its tensors only until then; {@link Tensor#copy()} what must outlive the step.
 * {@link #close()} frees them earlier.
 */
public final class Batch implements AutoCloseable {
    private final Map<String, Tensor> fields;
    private final String target;

    /**
     * An image batch: inputs {@code images}, target {@code labels}.
     *
     * @param images the inputs, FLOAT32 [B, ...sampleShape]
     * @param labels the class labels, INT32 [B]
     */
    public Batch(Tensor images, Tensor labels) {
        this(map(images, labels), "labels");
    }

    /**
     * A batch of named fields.
     *
     * @param fields the tensors by name, in order (copied), each with the batch as dimension 0
     * @param target the name of the target field, or null when there is none
     * @throws IllegalArgumentException if there is no field, {@code target} is not one of them, or the batch sizes differ
     */
    public Batch(Map<String, Tensor> fields, String target) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        if (this.fields.isEmpty()) throw new IllegalArgumentException("Batch: no fields");
        if (target != null && !this.fields.containsKey(target)) {
            throw new IllegalArgumentException("Batch: target '" + target + "' is not a field (fields " + this.fields.keySet() + ")");
        }
        this.target = target;
        int b = -1;
        for (Map.Entry<String, Tensor> e : this.fields.entrySet()) {
            Tensor t = Objects.requireNonNull(e.getValue(), e.getKey());
            int size = t.rank() == 0 ? -1 : t.size(0);
            if (t.rank() == 0 || (b >= 0 && size != b)) {
                throw new IllegalArgumentException("Batch: field '" + e.getKey() + "' has shape " + dev.kiln.tensor.Shape.str(t.shape())
                        + "; every field needs the batch size " + (b >= 0 ? b : "") + " as dimension 0");
            }
            b = size;
        }
    }

    private static Map<String, Tensor> map(Tensor images, Tensor labels) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("images", Objects.requireNonNull(images, "images"));
        m.put("labels", Objects.requireNonNull(labels, "labels"));
        return m;
    }

    /** {@return the first input field: the images of an image batch} */
    public Tensor images() {
        for (Map.Entry<String, Tensor> e : fields.entrySet()) if (!e.getKey().equals(target)) return e.getValue();
        throw new IllegalStateException("Batch: no input field, only the target '" + target + "'");
    }

    /**
     * {@return the target field: the labels of an image batch}
     *
     * @throws IllegalStateException if the batch has no target
     */
    public Tensor labels() {
        if (target == null) throw new IllegalStateException("Batch: no target field (fields " + fields.keySet() + ")");
        return fields.get(target);
    }

    /**
     * {@return the target field (same as {@link #labels()})}
     *
     * @throws IllegalStateException if the batch has no target
     */
    public Tensor target() {
        return labels();
    }

    /** {@return the target field's name, or null when there is none} */
    public String targetName() {
        return target;
    }

    /**
     * The only input field: what a single-input model is called with.
     *
     * @return the input
     * @throws IllegalStateException if the batch has several inputs (a trainer then needs a forward hook) or none
     */
    public Tensor input() {
        List<String> in = inputNames();
        if (in.size() != 1) {
            throw new IllegalStateException("Batch: " + in.size() + " input fields " + in + " where one was expected; choose the model's "
                    + "inputs with get(name), e.g. in the trainer's forward hook");
        }
        return fields.get(in.getFirst());
    }

    /** {@return the input fields (all but the target) in order} */
    public List<Tensor> inputs() {
        List<Tensor> out = new ArrayList<>();
        fields.forEach((name, t) -> {
            if (!name.equals(target)) out.add(t);
        });
        return out;
    }

    /** {@return the names of the input fields in order} */
    public List<String> inputNames() {
        List<String> out = new ArrayList<>();
        for (String name : fields.keySet()) if (!name.equals(target)) out.add(name);
        return out;
    }

    /** {@return every field name in order, target included} */
    public List<String> names() {
        return List.copyOf(fields.keySet());
    }

    /**
     * Field {@code name}.
     *
     * @param name the field's name
     * @return its tensor
     * @throws IllegalArgumentException naming the fields if there is none of that name
     */
    public Tensor get(String name) {
        Tensor t = fields.get(name);
        if (t == null) throw new IllegalArgumentException("Batch: no field '" + name + "' (fields " + fields.keySet() + ")");
        return t;
    }

    /**
     * Field number {@code position} in order (target included), as PyTorch's tuple batches.
     *
     * @param position from 0
     * @return its tensor
     * @throws IndexOutOfBoundsException if there is no such field
     */
    public Tensor get(int position) {
        return get(names().get(position));
    }

    /**
     * Number of samples.
     *
     * @return B
     */
    public int size() {
        return fields.values().iterator().next().size(0);
    }

    /** Closes every tensor (idempotent). */
    @Override
    public void close() {
        for (Tensor t : fields.values()) t.close();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Batch(");
        fields.forEach((name, t) -> sb.append(sb.length() > 6 ? ", " : "").append(name).append(name.equals(target) ? " (target) " : " ")
                .append(t.dtype()).append(' ').append(dev.kiln.tensor.Shape.str(t.shape())));
        return sb.append(')').toString();
    }
}
