package dev.kiln.samples;

import dev.kiln.io.AtomicFile;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks, before any data is loaded or any epoch trained, that the output paths given on a
 * command line can be written: the folder exists or can be created and takes a new file, and
 * the target is not a folder or another non-regular file ({@link AtomicFile#requireReplaceable}). A
 * bad path is a bad argument: the command stops at once with one line naming the option and the
 * path. A good one is cleared of the temporary files that a run killed while writing it left
 * (the command is then the file's only writer).
 */
final class OutputPaths {
    private OutputPaths() {}

    /**
     * {@code --option FILE}, when given: a file that can be (re)written.
     *
     * @throws Args.UsageException {@code "<command>: --<option> <path>: <problem>"}
     */
    static void checkFile(Args a, String option) throws Args.UsageException {
        checkFile(a, option, a.path(option));
    }

    /**
     * {@code --option FILE} where the command derives {@code file} (e.g. a default naming the model): as
     * {@link #checkFile(Args, String)} for {@code file}, which may be null (nothing to check).
     *
     * @throws Args.UsageException {@code "<command>: --<option> <path>: <problem>"}
     */
    static void checkFile(Args a, String option, Path file) throws Args.UsageException {
        if (file == null) return;
        String problem = fileProblem(file);
        if (problem == null) problem = folderProblem(file.toAbsolutePath().getParent());
        if (problem != null) throw refused(a, option, file, problem);
        removeLeftovers(file);
    }

    /**
     * {@code --option DIR}, when given: a folder that exists or can be created and takes new files, where each of
     * {@code files} can be (re)written.
     *
     * @throws Args.UsageException {@code "<command>: --<option> <path>: <problem>"}
     */
    static void checkFolder(Args a, String option, String... files) throws Args.UsageException {
        Path dir = a.path(option);
        if (dir == null) return;
        String problem = folderProblem(dir.toAbsolutePath());
        for (int i = 0; problem == null && i < files.length; i++) {
            String p = fileProblem(dir.resolve(files[i]));
            if (p != null) problem = files[i] + " " + p;
        }
        if (problem != null) throw refused(a, option, dir, problem);
        for (String f : files) removeLeftovers(dir.resolve(f));
    }

    private static Args.UsageException refused(Args a, String option, Path path, String problem) {
        return new Args.UsageException(a.command() + ": --" + option + " " + path + ": " + problem);
    }

    /** Why {@code file} cannot be replaced by a regular file, or null. */
    private static String fileProblem(Path file) {
        if (Files.isDirectory(file)) return "is a folder, expected a file";
        try {
            AtomicFile.requireReplaceable(file);
            return null;
        } catch (FileSystemException e) {
            return e.getReason();
        } catch (IOException e) {
            return Failures.describe(e);
        }
    }

    /** Best effort: a leftover that cannot be deleted only takes space. */
    private static void removeLeftovers(Path file) {
        try {
            AtomicFile.removeLeftovers(file);
        } catch (IOException e) {
            // checked above; a file changed meanwhile is found again when it is written
        }
    }

    /** Why no file can be written into {@code dir} (created here if missing), or null. */
    private static String folderProblem(Path dir) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing != null && !Files.isDirectory(existing)) return "cannot create folder " + dir + ": " + existing + " is not a folder";
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return "cannot create folder " + dir + " (" + Failures.describe(e) + ")";
        }
        // Permission bits do not tell (root, ACLs, read-only mounts): try it.
        Path probe = dir.resolve(".kiln-write-check-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        try {
            Files.newByteChannel(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            Files.delete(probe);
            return null;
        } catch (IOException e) {
            return "folder " + dir + " is not writable (" + Failures.describe(e) + ")";
        }
    }
}
