package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** How a sample command ends: status 0, 1 or 2, and one line on errors unless --verbose asks for the trace. */
class SetupTest {
    private String err;

    private int run(Setup.Command command, String... argv) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = Setup.execute(argv, new Args("demo", "A demo.").option("n", "1", "a number"), command,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        err = bytes.toString(StandardCharsets.UTF_8);
        return status;
    }

    @Test
    void anErrorIsOneLineNamingTheCommand() {
        assertEquals(1, run(a -> {
            throw new IOException("disk on fire");
        }));
        assertEquals("kiln demo: disk on fire\n", err);
    }

    @Test
    void verbosePrintsTheStackTraceToo() {
        assertEquals(1, run(a -> {
            throw new IOException("disk on fire");
        }, "--verbose"));
        assertTrue(err.startsWith("kiln demo: disk on fire\njava.io.IOException: disk on fire\n\tat "), err);
    }

    @Test
    void causesTypesAndWrappersAreDescribedUsefully() {
        run(a -> {
            throw new UncheckedIOException("checkpoint failed", new IOException("read-only file system"));
        });
        assertEquals("kiln demo: checkpoint failed (cause: read-only file system)\n", err);
        run(a -> {
            throw new ExecutionException(new NoSuchFileException("x.png"));
        });
        assertEquals("kiln demo: no such file or folder: x.png\n", err);
        run(a -> {
            throw new NullPointerException("model is null");
        });
        assertEquals("kiln demo: NullPointerException: model is null\n", err);
        run(a -> {
            throw new IllegalStateException("first line\nsecond line");
        });
        assertEquals("kiln demo: first line; second line\n", err);
        run(a -> {
            throw new IllegalArgumentException("x".repeat(5000));
        });
        assertTrue(err.length() < 700 && err.endsWith("...\n"), "long messages are cut: " + err.length());
    }

    @Test
    void badArgumentsAreStatusTwoAndSuccessIsZero() {
        assertEquals(2, run(a -> a.integer("n", 1), "--n", "0"));
        assertTrue(err.startsWith("demo: --n must be >= 1, got 0\n"), err);
        assertEquals(2, run(a -> a.integer("n", 1, 10), "--n", "99999999999"));
        assertTrue(err.startsWith("demo: --n must be between 1 and 10, got 99999999999\n"), err);
        assertEquals(0, run(a -> a.integer("n", 1)));
        assertEquals("", err);
    }
}
