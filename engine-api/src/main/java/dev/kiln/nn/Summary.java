package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds {@link Module#summary}: records output shapes during one forward pass and formats the table. */
final class Summary {
    /** Output shapes seen during the summary pass on this thread; null outside one. */
    private static final ThreadLocal<Map<Module, int[]>> SHAPES = new ThreadLocal<>();

    private Summary() {}

    static void record(Module m, Tensor out) {
        Map<Module, int[]> shapes = SHAPES.get();
        if (shapes != null) shapes.put(m, out.shape());
    }

    static String of(Module root, int[] inputShape) {
        Map<Module, int[]> shapes = new IdentityHashMap<>();
        Map<Module, int[]> previous = SHAPES.get();
        Map<Module, Boolean> modes = new IdentityHashMap<>();
        for (Module m : root.namedModules().values()) modes.put(m, m.isTraining());
        SHAPES.set(shapes);
        root.eval();
        try (var _ = Kiln.noGrad(); var _ = Kiln.scope()) {
            Tensor out = root.forward(Tensor.full(root.backend(), 0f, inputShape));
            shapes.put(root, out.shape());
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
            int[] shape = shapes.get(m);
            rows.add(new String[] {m == root ? "(root)" : e.getKey(), m.getClass().getSimpleName(), shape == null ? "-" : Shape.str(shape), String.format(Locale.ROOT, "%,d", own)});
        }
        long total = 0, trainable = 0;
        for (Tensor p : root.namedParameters().values()) {
            total += p.numel();
            if (p.requiresGrad()) trainable += p.numel();
        }
        return format(root, inputShape, shapes.get(root), rows, total, trainable);
    }

    private static String format(Module root, int[] in, int[] out, List<String[]> rows, long total, long trainable) {
        String[] header = {"Layer", "Type", "Output shape", "Params"};
        int[] w = new int[header.length];
        for (int i = 0; i < w.length; i++) w[i] = header[i].length();
        for (String[] r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], r[i].length());
        String fmt = "%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %" + w[3] + "s%n";
        int width = w[0] + w[1] + w[2] + w[3] + 6;
        String rule = "-".repeat(width) + System.lineSeparator();
        StringBuilder sb = new StringBuilder();
        sb.append(root.getClass().getSimpleName()).append(": input ").append(Shape.str(in))
                .append(" -> output ").append(Shape.str(out)).append(System.lineSeparator());
        sb.append(rule).append(String.format(Locale.ROOT, fmt, (Object[]) header)).append(rule);
        for (String[] r : rows) sb.append(String.format(Locale.ROOT, fmt, (Object[]) r));
        sb.append(rule);
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", total));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", total - trainable));
        return sb.toString();
    }
}
