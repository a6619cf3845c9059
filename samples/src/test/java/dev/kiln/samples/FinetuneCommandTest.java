package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./kiln finetune} refuses bad options and unwritable outputs before loading data or training. */
class FinetuneCommandTest {
    @TempDir
    Path dir;

    private Args.UsageException refused(String... argv) {
        return assertThrows(Args.UsageException.class, () -> FinetuneCommand.run(FinetuneCommand.options().parse(argv)));
    }

    @Test
    void anUnwritableMetricsFileIsRefusedFirst() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("m.json"));
        var e = refused("--backend", "cpu", "--data", dir.resolve("none").toString(), "--metrics-out", folder.toString());
        assertEquals("finetune: --metrics-out " + folder + ": is a folder, expected a file", e.getMessage());
    }

    @Test
    void countsAreRangeChecked() {
        assertTrue(refused("--repeats", "0").getMessage().startsWith("finetune: --repeats must be between 1 and 1000, got 0\n"));
        assertTrue(refused("--repeats", "1000000").getMessage().startsWith("finetune: --repeats must be between 1 and 1000, got 1000000\n"));
        assertTrue(refused("--finetune-epochs", "0").getMessage().startsWith("finetune: --finetune-epochs must be between 1 and 100000, got 0\n"));
        assertTrue(refused("--per-class", "-3").getMessage().startsWith("finetune: --per-class must be between 1 and 10000, got -3\n"));
    }
}
