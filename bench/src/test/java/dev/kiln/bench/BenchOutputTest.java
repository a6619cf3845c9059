package dev.kiln.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --out}: checked and its folder made before any measuring. */
class BenchOutputTest {
    @TempDir
    Path dir;

    @Test
    void missingFoldersAreCreated() throws IOException {
        Path file = dir.resolve("out/i13/run.json");
        assertEquals(file.toAbsolutePath(), BenchMain.outputFile(file.toString()));
        assertTrue(Files.isDirectory(file.getParent()));
    }

    @Test
    void aFolderOrAPathThroughAFileIsRefused() throws IOException {
        assertEquals("it is a folder", assertThrows(IOException.class, () -> BenchMain.outputFile(dir.toString())).getMessage());
        Path plain = Files.writeString(dir.resolve("plain"), "x");
        assertThrows(IOException.class, () -> BenchMain.outputFile(plain.resolve("run.json").toString()));
    }
}
