package dev.kiln.samples;

import dev.kiln.Kiln;
import dev.kiln.ops.Conv2dOptions;
import dev.kiln.ops.Functional;
import dev.kiln.ops.Padding;
import dev.kiln.ops.PaddingMode;
import dev.kiln.ops.Pool2dOptions;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code ./kiln conv-demo}: the seed's worked example ([[1,2,3],[4,5,6],[7,8,9]] correlated with
 * [[1,2],[3,4]] gives [[37,47],[67,77]]) window by window, then stride, padding (valid, same,
 * circular), dilation and pooling on small matrices, each with its output-size formula. Every
 * printed result is computed by Kiln's ops ({@code conv2d}, {@code pad2d}, {@code maxPool2d},
 * {@code avgPool2d}); the window sums are spelled out by hand alongside.
 */
public final class ConvDemo {
    private final PrintStream out;
    private final Backend backend;

    ConvDemo(PrintStream out, Backend backend) {
        this.out = out;
        this.backend = backend;
    }

    /** Runs the walk-through; it takes no options but {@code --help} and {@code --verbose}. */
    public static void main(String[] args) {
        Setup.main(args, new Args("conv-demo", "A walk-through of convolution and pooling on small matrices, computed by Kiln's ops."), a -> {
            try (var _ = Kiln.scope()) {
                new ConvDemo(System.out, Kiln.backend()).run();
            }
        });
    }

    void run() {
        seedExample();
        stride();
        padding();
        dilation();
        pooling();
    }

    private void seedExample() {
        float[][] x = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, k = {{1, 2}, {3, 4}};
        heading("1. The seed example: a 2x2 kernel slides over a 3x3 input (stride 1, no padding)");
        show("input x", x);
        show("kernel k", k);
        formula("H_out", 3, 2, 1, 0, 0, 1);
        out.println("Each output cell is the sum of the window times the kernel, element by element (cross-correlation, as in");
        out.println("PyTorch and Keras: the kernel is not flipped):");
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 2; c++) {
                StringBuilder terms = new StringBuilder(), values = new StringBuilder();
                int sum = 0;
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 2; j++) {
                        int xv = (int) x[r + i][c + j], kv = (int) k[i][j];
                        terms.append(terms.isEmpty() ? "" : " + ").append(xv).append('*').append(kv);
                        values.append(values.isEmpty() ? "" : " + ").append(xv * kv);
                        sum += xv * kv;
                    }
                }
                out.printf("  y[%d][%d] = %s = %s = %d%n", r, c, terms, values, sum);
            }
        }
        show("Kiln conv2d(x, k)", conv(x, k, Conv2dOptions.defaults()));
    }

    private void stride() {
        float[][] x = counting(5, 5), k = {{1, 2}, {3, 4}};
        heading("2. Stride: the window jumps s cells at a time");
        show("input x (5x5)", x);
        show("kernel k", k);
        formula("stride 1: H_out", 5, 2, 1, 0, 0, 1);
        show("conv2d stride 1", conv(x, k, Conv2dOptions.defaults()));
        formula("stride 2: H_out", 5, 2, 2, 0, 0, 1);
        show("conv2d stride 2 (the cells of stride 1 at even rows and columns)", conv(x, k, Conv2dOptions.defaults().stride(2)));
    }

    private void padding() {
        float[][] x = counting(4, 4), ones = {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}};
        heading("3. Padding: cells added around the input; a 3x3 kernel of ones sums each 3x3 neighbourhood");
        show("input x (4x4)", x);
        formula("valid (no padding): H_out", 4, 3, 1, 0, 0, 1);
        show("conv2d valid", conv(x, ones, Conv2dOptions.defaults()));
        show("zero padding of 1 on each side (pad2d)", pad(x, PaddingMode.ZEROS));
        formula("same (pad (k-1)/2 = 1 each side): H_out", 4, 3, 1, 1, 1, 1);
        show("conv2d same: the output keeps the input's size", conv(x, ones, Conv2dOptions.defaults().padding(Padding.same())));
        show("circular padding of 1: the input wraps around like a torus (pad2d)", pad(x, PaddingMode.CIRCULAR));
        show("conv2d same, circular: border cells see the opposite edge",
                conv(x, ones, Conv2dOptions.defaults().padding(1).paddingMode(PaddingMode.CIRCULAR)));
    }

    private void dilation() {
        float[][] x = counting(5, 5), k = {{1, 2}, {3, 4}};
        heading("4. Dilation: kernel taps spread d cells apart, covering d*(k-1)+1 cells without more weights");
        show("input x (5x5)", x);
        out.println("kernel k = [[1, 2], [3, 4]] with dilation 2 reads x[r][c], x[r][c+2], x[r+2][c], x[r+2][c+2]:");
        out.printf("  y[0][0] = 1*1 + 3*2 + 11*3 + 13*4 = %d%n", 1 + 6 + 33 + 52);
        formula("dilation 2: H_out", 5, 2, 1, 0, 0, 2);
        show("conv2d dilation 2", conv(x, k, Conv2dOptions.defaults().dilation(2)));
    }

    private void pooling() {
        float[][] x = {{1, 3, 2, 4}, {5, 7, 6, 8}, {9, 2, 1, 3}, {4, 6, 5, 7}};
        heading("5. Pooling: a window reduced to one value, per channel, no weights");
        show("input x (4x4)", x);
        out.println("output size as for convolution: floor((H + 2*pad - dilation*(k-1) - 1)/stride) + 1, stride defaulting to k");
        formula("max pool 2x2, stride 2: H_out", 4, 2, 2, 0, 0, 1);
        show("maxPool2d 2x2: the largest of each 2x2 block", pool(x, Pool2dOptions.kernel(2), true));
        show("avgPool2d 2x2: the mean of each 2x2 block", pool(x, Pool2dOptions.kernel(2), false));
        formula("max pool 3x3, stride 1: H_out", 4, 3, 1, 0, 0, 1);
        show("maxPool2d 3x3 stride 1: overlapping windows", pool(x, Pool2dOptions.kernel(3).stride(1), true));
        out.println();
        out.println("In the seed CNN: 28 -conv3-> 26 -pool2-> 13 -conv3-> 11 -pool2-> 5 -conv3-> 3, so Flatten gives 64*3*3 = 576 features.");
    }

    // ---------------------------------------------------------------- Kiln calls

    private float[][] conv(float[][] x, float[][] k, Conv2dOptions options) {
        Tensor y = Functional.conv2d(tensor(x), tensor(k), null, options);
        return matrix(y);
    }

    private float[][] pad(float[][] x, PaddingMode mode) {
        return matrix(Functional.pad2d(tensor(x), 1, 1, 1, 1, mode));
    }

    private float[][] pool(float[][] x, Pool2dOptions options, boolean max) {
        return matrix(max ? Functional.maxPool2d(tensor(x), options) : Functional.avgPool2d(tensor(x), options));
    }

    private Tensor tensor(float[][] m) {
        int h = m.length, w = m[0].length;
        float[] flat = new float[h * w];
        for (int r = 0; r < h; r++) System.arraycopy(m[r], 0, flat, r * w, w);
        return Tensor.fromArray(backend, flat, 1, 1, h, w);
    }

    private static float[][] matrix(Tensor t) {
        int h = t.size(2), w = t.size(3);
        float[] v = t.toFloatArray();
        float[][] m = new float[h][w];
        for (int r = 0; r < h; r++) System.arraycopy(v, r * w, m[r], 0, w);
        return m;
    }

    // ---------------------------------------------------------------- printing

    /** 1, 2, 3, ... row by row. */
    private static float[][] counting(int h, int w) {
        float[][] m = new float[h][w];
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) m[r][c] = r * w + c + 1;
        return m;
    }

    private void heading(String text) {
        out.println();
        out.println(text);
        out.println("-".repeat(text.length()));
    }

    private void formula(String what, int in, int k, int stride, int padBefore, int padAfter, int dilation) {
        int result = (in + padBefore + padAfter - dilation * (k - 1) - 1) / stride + 1;
        out.printf("%s = floor((H + pad_before + pad_after - dilation*(k-1) - 1) / stride) + 1"
                + " = floor((%d + %d + %d - %d*(%d-1) - 1) / %d) + 1 = %d%n", what, in, padBefore, padAfter, dilation, k, stride, result);
    }

    void show(String title, float[][] m) {
        out.println(title + ":");
        int width = 1;
        for (float[] row : m) for (float v : row) width = Math.max(width, cell(v).length());
        for (float[] row : m) {
            StringBuilder sb = new StringBuilder("  [");
            for (int c = 0; c < row.length; c++) sb.append(c == 0 ? "" : " ").append(String.format("%" + width + "s", cell(row[c])));
            out.println(sb.append(']'));
        }
    }

    private static String cell(float v) {
        return v == Math.rint(v) ? Integer.toString((int) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
