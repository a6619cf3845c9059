package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.io.SafeTensors;
import dev.kiln.tensor.Generator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kiln classify}: every image gets its line, a bad one does not stop the others. */
class ClassifyCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

    private int run(String... argv) throws Exception {
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            return ClassifyCommand.run(ClassifyCommand.options().parse(argv), o, e);
        }
    }

    private static List<String> lines(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void eachBadImageIsNamedWithItsReasonAndTheOthersAreStillClassified() throws Exception {
        Path ckpt = dir.resolve("seed.safetensors");
        try (SeedCnn model = new SeedCnn(10, new Generator(3), Kiln.backend("cpu"))) {
            SafeTensors.write(ckpt, model.stateDict(), Map.of());
        }
        Path first = Files.write(dir.resolve("first.png"), Pngs.grey(28, 28, 28));
        Path missing = dir.resolve("missing.png");
        Path text = Files.writeString(dir.resolve("text.png"), "hello");
        Path bomb = Files.write(dir.resolve("bomb.png"), Pngs.grey(46000, 46000, 0));
        Path last = Files.write(dir.resolve("last.png"), Pngs.grey(56, 56, 56));

        int failed = run("--checkpoint", ckpt.toString(), "--backend", "cpu", "--threads", "2",
                first.toString(), missing.toString(), text.toString(), bomb.toString(), last.toString());

        assertEquals(3, failed);
        List<String> ok = lines(out);
        assertEquals(2, ok.size(), String.join("\n", ok));
        assertTrue(ok.get(0).startsWith(first + ": "), ok.get(0));
        assertTrue(ok.get(1).startsWith(last + ": "), ok.get(1));
        List<String> bad = lines(err);
        assertEquals(4, bad.size(), String.join("\n", bad));
        assertEquals("classify: " + missing + ": no such file", bad.get(0));
        assertEquals("classify: " + text + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP)", bad.get(1));
        assertTrue(bad.get(2).startsWith("classify: " + bomb + ": image of 46000 x 46000 = 2116000000 pixels is larger than the limit"), bad.get(2));
        assertEquals("classify: 3 of 5 images could not be classified", bad.get(3));
    }

    @Test
    void aPixelLimitBelowOneIsAUsageError() {
        var e = assertThrows(Args.UsageException.class, () -> run("--max-pixels", "0", "a.png"));
        assertTrue(e.getMessage().startsWith("classify: --max-pixels must be >= 1, got 0"), e.getMessage());
    }
}
