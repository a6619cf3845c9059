package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output paths follow the engine's rules for replacing a file, and are cleared of what killed runs left while writing them. */
class OutputPathsTest {
    @TempDir
    Path dir;

    private static Args args(String... argv) throws Args.UsageException {
        return new Args("demo", "a test command").option("out", null, "a file").option("report", null, "a folder").parse(argv);
    }

    private List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSymbolicLinkToNothingIsRefused() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("m.json"), dir.resolve("gone/m.json"));
        var e = assertThrows(Args.UsageException.class, () -> OutputPaths.checkFile(args("--out", link.toString()), "out"));
        assertEquals("demo: --out " + link + ": is a symbolic link to a missing file; refusing to save through it", e.getMessage());
    }

    @Test
    void temporaryFilesOfKilledWritesAreRemoved() throws IOException, Args.UsageException {
        Files.write(dir.resolve(".m.json.8345.tmp"), new byte[10]); // a run killed while writing m.json
        Files.write(dir.resolve(".x.json.8345.tmp"), new byte[10]); // another file's: kept
        OutputPaths.checkFile(args("--out", dir.resolve("m.json").toString()), "out");
        assertEquals(List.of(".x.json.8345.tmp"), names(dir));

        Path report = Files.createDirectories(dir.resolve("report"));
        Files.write(report.resolve(".curves.png.1.tmp"), new byte[10]);
        OutputPaths.checkFolder(args("--report", report.toString()), "report", Report.FILES);
        assertEquals(List.of(), names(report));
    }
}
