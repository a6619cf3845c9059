package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.Tensor;
import dev.kiln.testing.HostOnlyBackend;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a save replaces (never a directory, device or FIFO), with which permissions, and reads of files that change underneath. */
class SafeTensorsFileSafetyTest {
    @TempDir
    Path dir;

    private final Backend backend = HostOnlyBackend.create();
    private final List<Tensor> made = new java.util.ArrayList<>();

    private Map<String, Tensor> model(float... v) {
        Tensor t = Tensor.fromArray(backend, v, v.length);
        made.add(t);
        return Map.of("w", t);
    }

    @AfterEach
    void noLeaks() {
        made.forEach(Tensor::close);
        assertEquals(0, backend.bytesInUse());
    }

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void refusesToReplaceADirectory() throws IOException {
        Path d = Files.createDirectory(dir.resolve("model.safetensors"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> SafeTensors.write(d, model(1), Map.of()));
        assertEquals(d + ": exists and is not a regular file (a directory); refusing to replace it", e.getMessage());
        assertTrue(Files.isDirectory(d));
        assertEquals(1, filesIn(dir), "no temporary file is left");
    }

    @Test
    void refusesToReplaceAFifo() throws Exception {
        Path fifo = Files8.mkfifo(dir.resolve("model.safetensors"));
        if (fifo == null) return; // no mkfifo on this platform
        FileSystemException e = assertThrows(FileSystemException.class, () -> SafeTensors.write(fifo, model(1), Map.of()));
        assertTrue(e.getMessage().endsWith("exists and is not a regular file (a device, FIFO or socket); refusing to replace it"), e.getMessage());
        assertTrue(Files8.isOther(fifo), "still a FIFO");
        // Reading one must not block in open() waiting for a writer.
        SafeTensorsFormatException r = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(fifo, backend));
        assertEquals("model.safetensors: not a regular file (a FIFO, device or socket), so not a safetensors file", r.getMessage());
    }

    @Test
    void aDanglingSymbolicLinkIsRefused() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("model.safetensors"), dir.resolve("missing/x.safetensors"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> SafeTensors.write(link, model(1), Map.of()));
        assertTrue(e.getMessage().contains("is a symbolic link to a missing file"), e.getMessage());
    }

    @Test
    void writingThroughASymbolicLinkReplacesItsTargetAndKeepsTheLink() throws IOException {
        Path target = dir.resolve("real.safetensors");
        SafeTensors.write(target, model(1), Map.of());
        Path link = Files.createSymbolicLink(dir.resolve("link.safetensors"), target);
        SafeTensors.write(link, model(2), Map.of());
        assertTrue(Files.isSymbolicLink(link));
        Map<String, Tensor> back = model(0);
        SafeTensors.loadInto(target, back, true);
        assertArrayEquals(new float[] {2}, back.get("w").toFloatArray());
    }

    @Test
    void newFilesGetTheSamePermissionsAsAPlainCreatedFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, model(1), Map.of());
        AtomicFileTest.assertUmaskPermissions(f, dir);
    }

    /** A backend that truncates {@code file} to {@code length} bytes when its first tensor is allocated, i.e. after the header was checked. */
    private Backend truncatingOnAllocate(Path file, long length) {
        boolean[] done = {false};
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
            if (m.getName().equals("allocate") && !done[0]) {
                done[0] = true;
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(length);
                }
            }
            try {
                return m.invoke(backend, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void aFileTruncatedWhileLoadingGivesAFormatErrorNamingIt() throws IOException {
        Path f = dir.resolve("model.safetensors");
        float[] big = new float[4096];
        SafeTensors.write(f, model(big), Map.of());
        long dataStart = SafeTensorsHeader.read(f).dataStart();
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(f, truncatingOnAllocate(f, dataStart + 100)));
        assertTrue(e.getMessage().startsWith("model.safetensors: file ended at byte " + (dataStart + 100) + " while reading tensor 'w'"), e.getMessage());
    }

    @Test
    void aMismatchMessageListsAFewShortenedFileKeys() throws IOException {
        Path f = dir.resolve("model.safetensors");
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 1000; i++) json.append(i == 0 ? "" : ",").append(Files8.entry(i + "x".repeat(1000), "F32", "[0]", 0, 0));
        Files.write(f, Files8.safetensors(json.append('}').toString(), 0));
        StateMismatchException e = assertThrows(StateMismatchException.class, () -> SafeTensors.loadInto(f, model(1), true));
        assertEquals(1000, e.result().unexpected().size());
        assertTrue(e.getMessage().length() < 1000, e.getMessage().length() + " chars");
        assertTrue(e.getMessage().contains("x...(1003 chars), and 990 more]"), e.getMessage());
    }
}
