package dev.kiln.samples;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Writes an output file whole or not at all: the bytes go to a new temporary file in the same
 * folder, which is flushed to disk and then renamed over the target in one atomic step. A failure
 * (a full disk, an encoder error) deletes the temporary file and leaves the previous file as it
 * was, never a truncated or empty one. New files get the process umask's permissions.
 */
final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** What goes into the file. */
    interface Body {
        /** Writes the whole content to {@code out} (buffered; closed by the caller). */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} to {@code file} atomically, creating parent folders. */
    static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /**
     * Writes what {@code body} produces to {@code file} atomically, creating parent folders.
     *
     * @throws IOException if {@code file} exists and is not a regular file (it is left alone), or writing fails (the
     *                     previous file then stays in place and no temporary file is left)
     */
    static void write(Path file, Body body) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new IOException(file + " exists and is not a regular file; not replacing it");
        }
        Files.createDirectories(dir);
        Path temp = dir.resolve(tempName(target.getFileName().toString()));
        boolean moved = false;
        try {
            // CREATE_NEW on a fresh random name: never follows a planted link, and the umask decides the permissions.
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                body.writeTo(out);
                out.flush();
                ch.force(true); // on disk before the rename makes it visible
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) deleteQuietly(temp);
        }
    }

    /** A hidden name in the target's folder, short enough for any file-name limit. */
    private static String tempName(String name) {
        byte[] r = new byte[8];
        RANDOM.nextBytes(r);
        return "." + (name.length() > 100 ? name.substring(0, 100) : name) + "." + HexFormat.of().formatHex(r) + ".tmp";
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) { // the write's own failure is the one to report
        }
    }
}
