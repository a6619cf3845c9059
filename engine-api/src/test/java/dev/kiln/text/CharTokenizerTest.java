package dev.kiln.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The character tokenizer: vocabulary, ids and errors written out by hand; JSON round trip. */
class CharTokenizerTest {
    @Test
    void vocabularyIsTheSortedDistinctCodePoints() {
        // code points: '\n' 10, ' ' 32, 'a' 97, 'b' 98, '春' 0x6625, '😀' 0x1F600
        CharTokenizer t = CharTokenizer.train(List.of("ba 春\n", "😀a"));
        assertEquals(7, t.vocabSize());
        assertEquals(6, t.endOfText());
        assertArrayEquals(new int[] {3, 2, 1, 4, 0, 5, 2}, t.encode("ba 春\n😀a"));
        assertEquals("😀", t.token(5));
        assertEquals("<|endoftext|>", t.token(6));
        assertEquals("ab😀<|endoftext|>", t.decode(new int[] {2, 3, 5, 6}));
        assertArrayEquals(new int[] {6, 3, 6, 2, 2, 6}, t.encodeDocuments(List.of("b", "aa")), "EOT d1 EOT d2 EOT");
    }

    @Test
    void roundTripsChinesePoems(@TempDir Path dir) throws IOException {
        List<String> poems = TextCorpus.load(TestCorpus.dataDir(), "tang300").documents();
        CharTokenizer t = CharTokenizer.train(poems);
        for (String p : poems) {
            int[] ids = t.encode(p);
            assertEquals(p.codePointCount(0, p.length()), ids.length);
            assertEquals(p, t.decode(ids));
        }
        Path file = dir.resolve("chars.json");
        t.save(file);
        Tokenizer back = assertInstanceOf(CharTokenizer.class, Tokenizer.load(file));
        assertEquals(t.vocabSize(), back.vocabSize());
        for (String p : poems) assertArrayEquals(t.encode(p), back.encode(p));
    }

    @Test
    void unseenCharactersAreNamed(@TempDir Path dir) throws IOException {
        CharTokenizer t = CharTokenizer.train(List.of("abc"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.encode("ab春"));
        assertTrue(e.getMessage().contains("character '春' (U+6625) at char 2 is not in the vocabulary of 3 characters"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {0, -1}));
        assertTrue(e.getMessage().contains("token 1 has id -1, outside [0, 4)"), e.getMessage());
        Path file = dir.resolve("t.json");
        t.save(file);
        Files.writeString(file, Files.readString(file).replace("[97, 98, 99]", "[98, 97, 99]"));
        IOException io = assertThrows(IOException.class, () -> Tokenizer.load(file));
        assertTrue(io.getMessage().contains("code_points must be strictly ascending"), io.getMessage());
    }
}
