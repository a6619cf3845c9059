package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files are replaced whole or not at all, through symbolic links, never over a folder or device, and nothing is left behind. */
class AtomicFileTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * {@code written} has the same permissions as a file created plainly under the same umask and,
     * where that one is group-readable (umask 022), is too: an owner-only file fails even though
     * comparing with the plain file alone could not tell under umask 077.
     */
    static void assertUmaskPermissions(Path written, Path folder) throws IOException {
        Set<PosixFilePermission> plain = Files.getPosixFilePermissions(Files.createFile(folder.resolve("plain-" + System.nanoTime())));
        assertEquals(plain, Files.getPosixFilePermissions(written), "the umask's permissions, as for a plainly created file");
        assumeTrue(plain.contains(PosixFilePermission.GROUP_READ), "the umask makes new files owner-only; 0600 cannot be told apart");
        assertTrue(Files.getPosixFilePermissions(written).contains(PosixFilePermission.GROUP_READ), "not owner-only (createTempFile's 0600)");
    }

    @Test
    void replacesTheContentWithTheUsualPermissions() throws IOException {
        Path file = dir.resolve("metrics.json");
        AtomicFile.write(file, "{}\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("{}\n", Files.readString(file));
        AtomicFile.write(file, out -> out.write("[1]\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("[1]\n", Files.readString(file));
        assertEquals(List.of("metrics.json"), names(), "no temporary file left");
        assertUmaskPermissions(file, dir);
    }

    @Test
    void aFailingWriteLeavesThePreviousFileAndNoTemporary() throws IOException {
        Path file = dir.resolve("curves.png");
        byte[] old = {1, 2, 3, 4};
        Files.write(file, old);
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            out.write(new byte[100_000]); // part of the new content reaches the disk, then the disk is full
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(file), "the previous file is intact");
        assertEquals(List.of("curves.png"), names(), "the temporary file was deleted");
        // a new file that fails is not created at all (no 0-byte file)
        assertThrows(IOException.class, () -> AtomicFile.write(dir.resolve("new.png"), out -> {
            throw new IOException("encoder failed");
        }));
        assertEquals(List.of("curves.png"), names());
    }

    @Test
    void aFolderOrDeviceIsNotReplaced() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("report"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFile.write(folder, new byte[1]));
        assertEquals(folder + ": exists and is not a regular file (a directory); refusing to replace it", e.getMessage());
        assertTrue(Files.isDirectory(folder));
        assertEquals(List.of("report"), names(), "no temporary file is left");
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull)) {
            assertThrows(FileSystemException.class, () -> AtomicFile.write(devNull, new byte[1]));
            assertFalse(Files.isRegularFile(devNull), "still the device");
        }
    }

    @Test
    void aSymbolicLinkKeepsPointingAtTheNewContent() throws IOException {
        Path real = Files.writeString(dir.resolve("real.json"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), real);
        AtomicFile.write(link, "new".getBytes(StandardCharsets.UTF_8));
        assertTrue(Files.isSymbolicLink(link), "still a link");
        assertEquals("new", Files.readString(real));
        assertEquals(real, AtomicFile.requireReplaceable(link));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.json"), dir.resolve("missing/x.json"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFile.write(dangling, new byte[1]));
        assertEquals("is a symbolic link to a missing file; refusing to save through it", e.getReason());
    }

    @Test
    void removeLeftoversDeletesOnlyThisTargetsTemporaryFiles() throws IOException {
        Path file = dir.resolve("metrics.json");
        AtomicFile.write(file, new byte[] {1});
        // what writes killed mid-way leave, and look-alikes that are not theirs
        for (String n : List.of(".metrics.json.123.tmp", ".metrics.json.18446744073709551615.tmp", ".metrics.json.x1.tmp",
                ".metrics.json..tmp", ".other.json.5.tmp", "metrics.json.5.tmp")) {
            Files.write(dir.resolve(n), new byte[] {2});
        }
        Files.createDirectory(dir.resolve(".metrics.json.7.tmp")); // not a regular file: left alone
        assertEquals(List.of(".metrics.json.123.tmp", ".metrics.json.18446744073709551615.tmp"), AtomicFile.removeLeftovers(file).stream().sorted().toList());
        assertEquals(List.of(".metrics.json..tmp", ".metrics.json.7.tmp", ".metrics.json.x1.tmp", ".other.json.5.tmp", "metrics.json", "metrics.json.5.tmp"),
                names());
        assertEquals(List.of(), AtomicFile.removeLeftovers(dir.resolve("none/x.json")), "no folder, nothing to remove");
    }

    @Test
    void aLongNameStillGetsATemporaryFileThatIsRecognisedAsItsOwn() throws IOException {
        Path file = dir.resolve("m".repeat(250) + ".json");
        AtomicFile.write(file, new byte[] {1});
        assertEquals(List.of(file.getFileName().toString()), names());
        String temp = "." + "m".repeat(100) + ".42.tmp";
        Files.write(dir.resolve(temp), new byte[0]);
        assertEquals(List.of(temp), AtomicFile.removeLeftovers(file));
    }
}
