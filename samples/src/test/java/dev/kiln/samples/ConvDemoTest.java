package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The walk-through prints Kiln's results; the hand-worked ones must appear right after their titles. */
class ConvDemoTest {
    @Test
    void printsTheHandWorkedResults() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var _ = Kiln.scope()) {
            new ConvDemo(new PrintStream(bytes, true, StandardCharsets.UTF_8), Kiln.backend("cpu")).run();
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        // The seed example: [[1,2,3],[4,5,6],[7,8,9]] * [[1,2],[3,4]].
        assertTrue(text.contains("Kiln conv2d(x, k):\n  [37 47]\n  [67 77]\n"), text);
        assertTrue(text.contains("y[0][0] = 1*1 + 2*2 + 4*3 + 5*4 = 1 + 4 + 12 + 20 = 37"), text);
        // Stride 2 on 1..25 with the same kernel: windows at (0,0) 1+4+18+28=51, (0,2) 3+8+24+36=71, (2,0) 11+24+48+68=151.
        assertTrue(text.contains("conv2d stride 2 (the cells of stride 1 at even rows and columns):\n  [ 51  71]\n  [151 171]\n"), text);
        // Circular padding of 1..16, 3x3 ones: top-left window 16+13+14+4+1+2+8+5+6 = 69, next 13+14+15+1+2+3+5+6+7 = 66.
        assertTrue(text.contains("border cells see the opposite edge:\n  [69 66"), text);
        // Pooling [[1,3,2,4],[5,7,6,8],[9,2,1,3],[4,6,5,7]]: maxima 7 8 / 9 7, means 4 5 / 5.25 4.
        assertTrue(text.contains("largest of each 2x2 block:\n  [7 8]\n  [9 7]\n"), text);
        assertTrue(text.contains("mean of each 2x2 block:\n  [   4    5]\n  [5.25    4]\n"), text);
        assertTrue(text.contains("floor((5 + 0 + 0 - 2*(2-1) - 1) / 1) + 1 = 3"), text);
    }
}
