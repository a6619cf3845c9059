package dev.kiln.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file whole or not at all, as Kiln saves checkpoints: the content goes to a new
 * temporary file {@code .NAME.<number>.tmp} in the target's folder, is forced to disk, and is
 * renamed over the target in one atomic step, after which the folder is synced so that the rename
 * itself survives a power loss. A failure (a full disk, an encoder error) deletes the temporary
 * file and leaves the previous file as it was, never a truncated or empty one.
 *
 * <p>The rules for the target ({@link #requireReplaceable}): a symbolic link keeps pointing at the
 * new content (the file it points to is replaced, as a plain write through the link would do); a
 * target that exists and is not a regular file (a directory, {@code /dev/null}, a FIFO) is refused,
 * never replaced. New files get the process umask's permissions (0644 under the usual umask 022),
 * not the owner-only ones of {@code Files.createTempFile}. Missing parent folders are not created.
 *
 * <p>A process killed mid-write leaves its temporary file behind; {@link #removeLeftovers} deletes
 * those of a target, for a program that knows it is the target's only writer (for example at start).
 */
public final class AtomicFile {
    private static final String TMP = ".tmp";
    /** Characters of the target's name kept in a temporary file's name, so that it fits the usual 255-byte limit. */
    private static final int NAME_CHARS = 100;

    private AtomicFile() {}

    /** Produces a file's content. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the whole content.
         *
         * @param out where to write (buffered; flushed and closed by {@link AtomicFile})
         * @throws IOException if producing or writing it fails; the target is then left unchanged
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Content written straight to the temporary file's channel (for large binary data). */
    @FunctionalInterface
    interface ChannelContent {
        void writeTo(FileChannel ch) throws IOException;
    }

    /**
     * Replaces {@code file} with {@code bytes}, atomically.
     *
     * @param file  the file to write (see the class comment for symbolic links and non-regular files)
     * @param bytes the whole content
     * @throws IOException if {@code file} is not {@link #requireReplaceable replaceable} or writing
     *                     fails; {@code file} is then unchanged and no temporary file is left
     */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /**
     * Replaces {@code file} with what {@code content} writes, atomically.
     *
     * @param file    the file to write (see the class comment for symbolic links and non-regular files)
     * @param content produces the content
     * @throws IOException if {@code file} is not {@link #requireReplaceable replaceable}, or
     *                     {@code content} or writing fails; {@code file} is then unchanged and no
     *                     temporary file is left
     */
    public static void write(Path file, Content content) throws IOException {
        writeChannel(file, ch -> {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            content.writeTo(out);
            out.flush();
        });
    }

    /**
     * Replaces {@code file} with what {@code content} writes to the temporary file's channel.
     *
     * @return the file replaced (see {@link #requireReplaceable})
     */
    static Path writeChannel(Path file, ChannelContent content) throws IOException {
        Path target = requireReplaceable(file);
        Path tmp = createTemp(target);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                content.writeTo(ch);
                ch.force(true); // on disk before the rename makes it visible
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) deleteQuietly(tmp);
        }
        syncDirectory(target.getParent());
        return target;
    }

    /**
     * The file a write to {@code file} replaces, after checking that it may be replaced:
     * {@code file} made absolute or, when it is a symbolic link, the file the link finally points
     * to (so the link survives the write). The target may be missing (it is then created).
     *
     * @param file the file to write
     * @return the absolute path of the file a write replaces
     * @throws FileSystemException if the target exists and is not a regular file (a directory,
     *                             device, FIFO or socket), or {@code file} is a symbolic link to a
     *                             missing file; its reason says which
     * @throws IOException         if the file's attributes cannot be read
     */
    public static Path requireReplaceable(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        if (Files.isSymbolicLink(abs)) {
            try {
                abs = abs.toRealPath();
            } catch (NoSuchFileException e) {
                throw new FileSystemException(file.toString(), null, "is a symbolic link to a missing file; refusing to save through it");
            }
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(abs, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return abs;
        }
        if (!a.isRegularFile()) {
            throw new FileSystemException(file.toString(), null, "exists and is not a regular file ("
                    + (a.isDirectory() ? "a directory" : "a device, FIFO or socket") + "); refusing to replace it");
        }
        return abs;
    }

    /**
     * Deletes the temporary files that interrupted writes to {@code file} left in its folder (only
     * regular files named as this class names them). Call it only when no other write to
     * {@code file} is in progress: a live write's temporary file would be deleted and that write fail.
     *
     * @param file the file written with this class (a symbolic link is followed as by a write)
     * @return the names of the files deleted; a file that cannot be deleted is skipped
     * @throws IOException if {@code file} is not {@link #requireReplaceable replaceable}
     */
    public static List<String> removeLeftovers(Path file) throws IOException {
        Path target = requireReplaceable(file);
        String name = target.getFileName().toString();
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(target.getParent())) {
            for (Path p : dir) {
                String n = p.getFileName().toString();
                if (!isTempFileOf(name, n) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                try {
                    if (Files.deleteIfExists(p)) removed.add(n);
                } catch (IOException e) {
                    // stays; a later call retries
                }
            }
        } catch (NoSuchFileException e) {
            // no folder yet, so nothing left behind
        }
        return removed;
    }

    /** The start of the temporary files' names for the target named {@code target}. */
    private static String tempPrefix(String target) {
        int end = Math.min(target.length(), NAME_CHARS);
        if (end > 0 && end < target.length() && Character.isHighSurrogate(target.charAt(end - 1))) end--; // never half a character
        return "." + target.substring(0, end) + ".";
    }

    /**
     * Creates an empty {@code .NAME.<number>.tmp} beside {@code target}, with the default permissions
     * (the process umask applies, as for any new file), never following a link planted under that name.
     */
    private static Path createTemp(Path target) throws IOException {
        String prefix = tempPrefix(target.getFileName().toString());
        for (int attempt = 0; ; attempt++) {
            Path tmp = target.resolveSibling(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + TMP);
            try {
                FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) throw e;
            }
        }
    }

    /** True when {@code name} is the name of a temporary file a write to the file named {@code target} creates. */
    static boolean isTempFileOf(String target, String name) {
        String prefix = tempPrefix(target);
        if (!name.startsWith(prefix) || !name.endsWith(TMP)) return false;
        String number = name.substring(prefix.length(), name.length() - TMP.length());
        return !number.isEmpty() && number.length() <= 20 && number.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Makes a rename or a new file durable; some platforms cannot open a directory for syncing, where it is as durable as they allow. */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (e.g. Windows); nothing more can be done
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // the write's own failure is the one to report
        }
    }
}
