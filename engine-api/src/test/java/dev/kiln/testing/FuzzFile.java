package dev.kiln.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file a file-reading fuzz test writes each input to: one temporary file per test class,
 * reused for every input (creating one per input would dominate a fuzz run) and deleted on exit.
 */
public final class FuzzFile {
    private final Path path;

    private FuzzFile(Path path) {
        this.path = path;
    }

    /**
     * Creates the temporary file.
     *
     * @param suffix the file name's ending, e.g. ".idx", so messages read like those for real files
     * @return the fuzz file
     * @throws UncheckedIOException if the file cannot be created (in a static initialiser, where a checked exception cannot go)
     */
    public static FuzzFile create(String suffix) {
        try {
            Path f = Files.createTempFile("kiln-fuzz-", suffix);
            f.toFile().deleteOnExit();
            return new FuzzFile(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Replaces the file's content with {@code input}.
     *
     * @param input the fuzzer's bytes
     * @return the file's path, to hand to the reader under test
     * @throws IOException if the file cannot be written
     */
    public Path write(byte[] input) throws IOException {
        Files.write(path, input);
        return path;
    }
}
