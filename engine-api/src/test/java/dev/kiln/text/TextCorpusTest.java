package dev.kiln.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TextCorpus on the committed slice of the fortune files (12 + 6 English fortunes, 3 Chinese
 * entries, 5 Tang and 2 Song poems) and on hand-written texts; expected documents written out by hand.
 */
class TextCorpusTest {
    @Test
    void splitsAtPercentLinesTrimsAndDropsEmptyDocuments() {
        String text = "%\n  first line\nsecond 100% sure\n%\n\n%\n%\n\tlast\n%\n";
        assertEquals(List.of("first line\nsecond 100% sure", "last"), TextCorpus.parseDocuments(text));
        assertEquals(List.of("a\n%%\nb"), TextCorpus.parseDocuments("a\n%%\nb"), "only a line of exactly '%' separates");
        assertEquals(List.of(), TextCorpus.parseDocuments(""));
    }

    @Test
    void stripsAnsiColoursIncludingNestedOnes() {
        assertEquals("title\nauthor", TextCorpus.stripAnsi("\u001B[32mtitle\u001B[m\n\u001B[33;1mauthor\u001B[;m"));
        // The Chinese files nest one sequence inside another: ESC[; ESC[34;1m m
        assertEquals("“~/.vimrc”来定制", TextCorpus.stripAnsi("\u001B[35;1m“~/.vimrc”\u001B[;\u001B[34;1mm来定制"));
        assertEquals("ESC alone \u001B stays", TextCorpus.stripAnsi("ESC alone \u001B stays"));
    }

    @Test
    void loadsTheTangPoemsWithoutColourCodes() throws IOException {
        TextCorpus tang = TextCorpus.load(TestCorpus.dataDir(), "tang300");
        assertEquals(5, tang.documents().size());
        assertEquals("《感遇・其一》\n作者：张九龄\n兰叶春葳蕤，桂华秋皎洁。\n欣欣此生意，自尔为佳节。\n谁知林栖者，闻风坐相悦。\n草木有本心，何求美人折？",
                tang.documents().getFirst());
        for (String d : tang.documents()) assertFalse(d.contains("\u001B"), d);
        assertEquals(2, TextCorpus.load(TestCorpus.dataDir(), "song100").documents().size());
        TextCorpus chinese = TextCorpus.load(TestCorpus.dataDir(), "chinese");
        assertEquals(3, chinese.documents().size());
        assertTrue(chinese.documents().get(2).startsWith("1.4.8.\u00A0定制vim\n\n\u00A0\u00A0\u00A0 你可以通过“~/.vimrc”来定制vim(1)的行为。"),
                chinese.documents().get(2));
    }

    @Test
    void englishCorpusReadsEveryFileInNameOrder() throws IOException {
        List<String> docs = TextCorpus.load(TestCorpus.dataDir(), "fortunes").documents();
        assertEquals(18, docs.size());
        assertEquals("A day for firm decisions!!!!!  Or is it?", docs.getFirst(), "'fortunes' sorts before 'linux'");
        assertEquals("\"How do you pronounce SunOS?\"  \"Just like you hear it, with a big SOS\"\n\t\t-- dedicated to Roland Kaltefleiter",
                docs.get(12));
    }

    @Test
    void fileOrderOnDiskDoesNotMatterAndManifestsAreSkipped(@TempDir Path dir) throws IOException {
        Path en = Files.createDirectories(dir.resolve("fortunes/en"));
        Files.writeString(en.resolve("zeta"), "z1\n%\nz2\n");
        Files.writeString(en.resolve("alpha"), "a1\n%\na2\n");
        Files.writeString(en.resolve(".sha256"), "not a fortune\n");
        assertEquals(List.of("a1", "a2", "z1", "z2"), TextCorpus.load(dir, "fortunes").documents());
    }

    @Test
    void splitIsByDocumentDeterministicAndComplete() throws IOException {
        TextCorpus c = TextCorpus.load(TestCorpus.dataDir(), "fortunes");
        DocumentSplit a = c.split(0.25, 7), b = c.split(0.25, 7);
        assertEquals(a, b);
        assertEquals(5, a.validation().size(), "round(0.25 * 18) = 5 (4.5 rounds up)");
        assertEquals(13, a.train().size());
        List<String> all = new ArrayList<>(a.train());
        all.addAll(a.validation());
        assertEquals(new HashSet<>(c.documents()), new HashSet<>(all));
        assertTrue(new HashSet<>(a.train()).stream().noneMatch(a.validation()::contains));
        assertEquals(c.documents().stream().filter(a.train()::contains).toList(), a.train(), "corpus order kept");
        assertNotEquals(a.validation(), c.split(0.25, 8).validation(), "another seed holds out other documents");
        assertEquals(0, c.split(0, 7).validation().size());
        assertEquals(1, c.split(0.001, 7).validation().size(), "a positive fraction holds out at least one document");
    }

    @Test
    void errorsSayWhatToFetch(@TempDir Path dir) throws IOException {
        IOException e = assertThrows(IOException.class, () -> TextCorpus.load(dir, "fortunes"));
        assertTrue(e.getMessage().contains("./kiln fetch-data --only fortunes'"), e.getMessage());
        e = assertThrows(IOException.class, () -> TextCorpus.load(dir, "tang300"));
        assertTrue(e.getMessage().contains("./kiln fetch-data --only fortunes-zh'"), e.getMessage());
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> TextCorpus.load(dir, "klingon"));
        assertTrue(u.getMessage().contains("unknown corpus 'klingon'"), u.getMessage());
        Path zh = Files.createDirectories(dir.resolve("fortunes/zh"));
        Files.write(zh.resolve("song100"), new byte[] {'a', (byte) 0xFF, 'b'});
        e = assertThrows(IOException.class, () -> TextCorpus.load(dir, "song100"));
        assertTrue(e.getMessage().contains("is not UTF-8 text"), e.getMessage());
        Files.writeString(zh.resolve("song100"), "%\n\n%\n", StandardCharsets.UTF_8);
        e = assertThrows(IOException.class, () -> TextCorpus.load(dir, "song100"));
        assertTrue(e.getMessage().contains("hold no documents"), e.getMessage());
        TextCorpus one = new TextCorpus("one", List.of("x"));
        assertThrows(IllegalArgumentException.class, () -> one.split(0.5, 1));
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> one.split(1.0, 1));
        assertTrue(f.getMessage().contains("validationFraction must be in [0, 1), got 1.0"), f.getMessage());
    }
}
