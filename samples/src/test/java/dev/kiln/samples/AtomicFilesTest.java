package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output files are replaced whole or not at all, and nothing is left behind. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheBytesCreatingFoldersWithTheUsualPermissions() throws IOException {
        Path file = dir.resolve("a/b/metrics.json");
        AtomicFiles.write(file, "{}\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("{}\n", Files.readString(file));
        AtomicFiles.write(file, "[1]\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("[1]\n", Files.readString(file));
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertEquals(List.of("metrics.json"), s.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
        // the same permissions as a file created plainly (the umask's), not createTempFile's owner-only 0600
        Path plain = Files.createFile(dir.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }

    @Test
    void aFailingWriteLeavesThePreviousFileAndNoTemporary() throws IOException {
        Path file = dir.resolve("curves.png");
        byte[] old = {1, 2, 3, 4};
        Files.write(file, old);
        var e = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[100_000]); // part of the new content reaches the disk, then the disk is full
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(file), "the previous file is intact");
        assertEquals(List.of("curves.png"), names(), "the temporary file was deleted");
        // a new file that fails is not created at all (no 0-byte file)
        assertThrows(IOException.class, () -> AtomicFiles.write(dir.resolve("new.png"), out -> {
            throw new IOException("encoder failed");
        }));
        assertEquals(List.of("curves.png"), names());
    }

    @Test
    void aFolderOrDeviceIsNotReplaced() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("report"));
        var e = assertThrows(IOException.class, () -> AtomicFiles.write(folder, new byte[1]));
        assertEquals(folder + " exists and is not a regular file; not replacing it", e.getMessage());
        assertTrue(Files.isDirectory(folder));
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull)) {
            assertThrows(IOException.class, () -> AtomicFiles.write(devNull, new byte[1]));
            assertFalse(Files.isRegularFile(devNull), "still the device");
        }
    }
}
