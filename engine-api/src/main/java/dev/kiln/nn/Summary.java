package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** Builds {@link Module#summary}: records output shapes during one forward pass and formats the table. */
final class Summary {
    /** Output shapes seen during the summary pass on this thread; null outside one. */
    private static final ThreadLocal<Map<Module, String>> SHAPES = new ThreadLocal<>();

    private Summary() {}

    /** Whether a summary pass is recording on this thread (fusions that hide an intermediate shape are then skipped). */
    static boolean recording() {
        return SHAPES.get() != null;
    }

    static void record(Module m, Object out) {
        Map<Module, String> shapes = SHAPES.get();
        if (shapes != null) shapes.put(m, shapes(out));
    }

    /**
     * The shapes of the tensors in a step's output: a tensor, an array or iterable of them, or a
     * record's tensor components (null ones skipped); "-" when none can be found.
     */
    static String shapes(Object out) {
        List<String> parts = new ArrayList<>();
        collect(out, parts);
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    private static void collect(Object out, List<String> parts) {
        switch (out) {
            case null -> { }
            case Tensor t -> parts.add(Shape.str(t.shape()));
            case Object[] a -> { for (Object o : a) collect(o, parts); }
            case Iterable<?> it -> { for (Object o : it) collect(o, parts); }
            case Record r -> {
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    try {
                        Object v = c.getAccessor().invoke(r);
                        if (v instanceof Tensor || v instanceof Object[] || v instanceof Iterable<?>) collect(v, parts);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        return; // a record this module may not read: its shapes stay unknown
                    }
                }
            }
            default -> { }
        }
    }

    static String of(Module root, int[] inputShape) {
        return run(root, Shape.str(inputShape), () -> root.forwardForSummary(Tensor.full(root.backend(), 0f, inputShape)));
    }

    static String of(Module root, Tensor[] inputs) {
        if (inputs == null || inputs.length == 0) {
            throw new IllegalArgumentException(root.getClass().getSimpleName() + ": summary needs at least one example input");
        }
        return run(root, shapes(inputs), () -> root.forwardForSummary(inputs));
    }

    /** One forward pass in evaluation mode without gradients, recording each module's output, then the table. */
    private static String run(Module root, String in, Supplier<Object> pass) {
        Map<Module, String> shapes = new IdentityHashMap<>();
        Map<Module, String> previous = SHAPES.get();
        Map<Module, Boolean> modes = new IdentityHashMap<>();
        for (Module m : root.namedModules().values()) modes.put(m, m.isTraining());
        SHAPES.set(shapes);
        root.eval();
        try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
            shapes.put(root, shapes(pass.get()));
        } finally {
            SHAPES.set(previous);
            modes.forEach(Module::restoreMode);
        }
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, Module> e : root.namedModules().entrySet()) {
            Module m = e.getValue();
            boolean leaf = m.namedChildren().isEmpty();
            if ((m == root && !leaf) || (!leaf && m.ownParameters().isEmpty())) continue;
            long own = m.ownParameters().values().stream().mapToLong(Tensor::numel).sum();
            String shape = shapes.get(m);
            rows.add(new String[] {m == root ? "(root)" : e.getKey(), m.getClass().getSimpleName(), shape == null ? "-" : shape, String.format(Locale.ROOT, "%,d", own)});
        }
        long total = 0, trainable = 0;
        for (Tensor p : root.namedParameters().values()) {
            total += p.numel();
            if (p.requiresGrad()) trainable += p.numel();
        }
        return format(root, in, shapes.get(root), rows, total, trainable);
    }

    private static String format(Module root, String in, String out, List<String[]> rows, long total, long trainable) {
        String[] header = {"Layer", "Type", "Output shape", "Params"};
        int[] w = new int[header.length];
        for (int i = 0; i < w.length; i++) w[i] = header[i].length();
        for (String[] r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r[i].length());
        String fmt = "%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %" + w[3] + "s%n";
        int width = w[0] + w[1] + w[2] + w[3] + 6;
        String rule = "-".repeat(width) + System.lineSeparator();
        StringBuilder sb = new StringBuilder();
        sb.append(root.getClass().getSimpleName()).append(": input ").append(in)
                .append(" -> output ").append(out).append(System.lineSeparator());
        sb.append(rule).append(String.format(Locale.ROOT, fmt, (Object[]) header)).append(rule);
        for (String[] r : rows) sb.append(String.format(Locale.ROOT, fmt, (Object[]) r));
        sb.append(rule);
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", total));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable));
        return sb.toString();
    }
}
