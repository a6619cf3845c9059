package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use Kiln in your project" code is the code that consumer/check.sh builds and runs:
 * a fenced block after {@code <!-- kiln:file PATH -->} must equal that file, one after
 * {@code <!-- kiln:excerpt PATH -->} must appear in it line for line (indentation aside), and the
 * Kiln version the consumer imports must be the version this build installs.
 */
class ReadmeConsumerTest {
    private static final Pattern MARKED_BLOCK =
            Pattern.compile("<!-- kiln:(file|excerpt) (\\S+) -->\\n```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);

    /** A README block tied to a file of the repository. */
    private record Quote(String kind, String path, String text) {}

    @Test
    void readmeQuotesTheConsumerProjectExactly() throws IOException {
        Path root = repositoryRoot();
        List<Quote> quotes = quotes(Files.readString(root.resolve("README.md")));
        List<String> paths = quotes.stream().map(Quote::path).toList();
        assertTrue(paths.contains("consumer/src/main/java/com/example/QuickStart.java") && paths.contains("consumer/pom.xml"),
                "README.md should quote consumer/pom.xml and QuickStart.java under kiln: markers; found " + paths);
        for (Quote q : quotes) {
            String file = Files.readString(root.resolve(q.path()));
            if (q.kind().equals("file")) {
                assertEquals(file.strip(), q.text().strip(), "README.md's block for " + q.path() + " differs from the file; copy one to the other");
            } else {
                int at = indexOfLines(trimmedLines(file), trimmedLines(q.text()));
                if (at < 0) fail("README.md's excerpt of " + q.path() + " is not in the file, line for line; copy it from there");
            }
        }
    }

    @Test
    void consumerImportsTheVersionThisBuildInstalls() throws IOException {
        Path root = repositoryRoot();
        String version = versionAfter(Files.readString(root.resolve("pom.xml")), "kiln-parent");
        assertEquals(version, versionAfter(Files.readString(root.resolve("bom/pom.xml")), "kiln-bom"), "bom/pom.xml's version");
        assertEquals(version, versionAfter(Files.readString(root.resolve("consumer/pom.xml")), "kiln-bom"), "the kiln-bom version consumer/pom.xml imports");
    }

    private static List<Quote> quotes(String readme) {
        List<Quote> quotes = new ArrayList<>();
        Matcher m = MARKED_BLOCK.matcher(readme.replace("\r\n", "\n"));
        while (m.find()) quotes.add(new Quote(m.group(1), m.group(2), m.group(3)));
        return quotes;
    }

    private static List<String> trimmedLines(String text) {
        return text.strip().lines().map(String::strip).toList();
    }

    private static int indexOfLines(List<String> haystack, List<String> needle) {
        for (int i = 0; i + needle.size() <= haystack.size(); i++) {
            if (haystack.subList(i, i + needle.size()).equals(needle)) return i;
        }
        return -1;
    }

    /** The version element right after {@code <artifactId>artifactId</artifactId>}. */
    private static String versionAfter(String pom, String artifactId) {
        Matcher m = Pattern.compile("<artifactId>" + artifactId + "</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "no version after artifactId " + artifactId);
        return m.group(1);
    }

    /** The checkout's root: the first folder upwards from the working directory holding README.md and consumer/. */
    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("consumer"))) return p;
        }
        throw new IllegalStateException("no README.md with a consumer/ folder above " + Path.of("").toAbsolutePath());
    }
}
