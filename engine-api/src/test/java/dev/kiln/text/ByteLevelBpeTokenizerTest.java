package dev.kiln.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-level BPE: merges and encodings against examples worked by hand, against a naive
 * reference trainer (all pairs recounted every step), determinism, exact round trips for any
 * text, JSON round trips, and errors.
 */
class ByteLevelBpeTokenizerTest {
    private static final int A = 'a', B = 'b', C = 'c', D = 'd', SPACE = ' ';

    /**
     * "aaabdaaabac" is one chunk. Pair counts: aa 4, ab 2, bd/da/ba/ac 1. Merge 0: (a, a) = 256,
     * leaving [256 a b d 256 a b a c]. Now (256, a) and (a, b) both count 2: the tie goes to the
     * lower pair, (97, 98) = 257, leaving [256 257 d 256 257 a c]. Merge 2: (256, 257) = 258 counts 2,
     * leaving [258 d 258 a c] where every pair occurs once, so training stops: vocabulary 256 + 3 + 1.
     */
    @Test
    void learnsTheHandWorkedMerges() {
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.train(List.of("aaabdaaabac"), 1000);
        assertArrayEquals(new int[][] {{A, A}, {A, B}, {256, 257}}, t.merges());
        assertEquals(260, t.vocabSize());
        assertEquals(259, t.endOfText());
        assertArrayEquals(new int[] {258, D, 258, A, C}, t.encode("aaabdaaabac"));
        assertEquals("aaab", t.token(258));
        assertEquals("<|endoftext|>", t.token(259));
        // rank order, not left to right: in "aab" merge 0 (a a) wins over merge 1 (a b)
        assertArrayEquals(new int[] {256, B}, t.encode("aab"));
        assertArrayEquals(new int[] {256, 256}, t.encode("aaaa"));
        assertArrayEquals(new int[] {257, 257}, t.encode("abab"));
    }

    /**
     * "ab ab ab" is three chunks: "ab" once and " ab" twice. (a, b) counts 3 and becomes 256; then
     * (space, 256) counts 2 and becomes 257. Pairs across chunks, such as (b, space), are never counted.
     */
    @Test
    void mergesStayInsideChunks() {
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.train(List.of("ab ab ab"), 1000);
        assertArrayEquals(new int[][] {{A, B}, {SPACE, 256}}, t.merges());
        assertArrayEquals(new int[] {256, 257, 257}, t.encode("ab ab ab"));
        assertArrayEquals(new int[] {B, SPACE, A}, t.encode("b a"));
    }

    @Test
    void stopsAtTheRequestedVocabularySize() {
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.train(List.of("aaabdaaabac"), 258);
        assertArrayEquals(new int[][] {{A, A}}, t.merges());
        assertEquals(258, t.vocabSize());
        assertEquals(257, ByteLevelBpeTokenizer.train(List.of("aaabdaaabac"), 257).vocabSize());
    }

    @Test
    void matchesANaiveTrainerOnRealText() throws IOException {
        List<String> docs = new ArrayList<>(TextCorpus.load(TestCorpus.dataDir(), "fortunes").documents());
        docs.addAll(TextCorpus.load(TestCorpus.dataDir(), "tang300").documents());
        int[][] expected = NaiveBpe.train(docs, 300);
        int[][] merges = ByteLevelBpeTokenizer.train(docs, 257 + 300).merges();
        assertEquals(expected.length, merges.length);
        for (int i = 0; i < merges.length; i++) assertArrayEquals(expected[i], merges[i], "merge " + i);
    }

    @Test
    void trainingIsDeterministicAndIgnoresDocumentOrder(@TempDir Path dir) throws IOException {
        List<String> docs = new ArrayList<>(TextCorpus.load(TestCorpus.dataDir(), "fortunes").documents());
        docs.addAll(TextCorpus.load(TestCorpus.dataDir(), "chinese").documents());
        ByteLevelBpeTokenizer.train(docs, 500).save(dir.resolve("a.json"));
        Collections.reverse(docs);
        ByteLevelBpeTokenizer.train(docs, 500).save(dir.resolve("b.json"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.json")), Files.readAllBytes(dir.resolve("b.json")));
    }

    @Test
    void roundTripsChineseTextItWasTrainedOnAndTextItWasNot() throws IOException {
        List<String> poems = TextCorpus.load(TestCorpus.dataDir(), "tang300").documents();
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.train(poems, 400);
        for (String p : poems) {
            int[] ids = t.encode(p);
            assertTrue(ids.length < p.getBytes(StandardCharsets.UTF_8).length, "merges shorten the poems");
            assertEquals(p, t.decode(ids));
        }
        for (String s : List.of("", "\n", "床前明月光，疑是地上霜。", "𠀀𪚥 emoji \uD83D\uDE80\uD83C\uDDE8\uD83C\uDDF3 tab\tcr\r\nnul\u0000 \uFFFF",
                "<|endoftext|> is plain text here", "  leading and trailing  ")) {
            assertEquals(s, t.decode(t.encode(s)), s);
        }
        assertEquals(-1, indexOf(t.encode("<|endoftext|>"), t.endOfText()), "encode never produces the special token");
    }

    /** Random strings of code points from many scripts and categories round-trip exactly. */
    @Test
    void roundTripsRandomUnicode() throws IOException {
        List<String> docs = new ArrayList<>(TextCorpus.load(TestCorpus.dataDir(), "fortunes").documents());
        docs.addAll(TextCorpus.load(TestCorpus.dataDir(), "song100").documents());
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.train(docs, 600);
        int[][] ranges = {{0x00, 0x7F}, {0x80, 0x7FF}, {0x4E00, 0x9FFF}, {0x3000, 0x303F}, {0x0300, 0x036F}, {0xE000, 0xFFFF},
                {0x10000, 0x10FFFF}, {0x1F300, 0x1FAFF}, {0x09, 0x0D}};
        Random r = new Random(12);
        for (int n = 0; n < 2000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(12);
            for (int i = 0; i < len; i++) {
                int[] range = ranges[r.nextInt(ranges.length)];
                int cp = range[0] + r.nextInt(range[1] - range[0] + 1);
                if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
                sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            int[] ids = t.encode(s);
            for (int id : ids) assertTrue(id >= 0 && id < t.endOfText(), "id " + id);
            assertEquals(s, t.decode(ids), () -> "round trip of " + s.codePoints().mapToObj(Integer::toHexString).toList());
            assertEquals(s, String.join("", PreTokenizer.split(s)));
        }
    }

    @Test
    void jsonRoundTripEncodesIdentically(@TempDir Path dir) throws IOException {
        List<String> docs = TextCorpus.load(TestCorpus.dataDir(), "chinese").documents();
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.train(docs, 420);
        Path file = dir.resolve("tokenizer.json");
        t.save(file);
        Tokenizer back = Tokenizer.load(file);
        ByteLevelBpeTokenizer bpe = assertInstanceOf(ByteLevelBpeTokenizer.class, back);
        assertArrayEquals(t.merges(), bpe.merges());
        assertEquals(t.vocabSize(), back.vocabSize());
        assertEquals(t.endOfText(), back.endOfText());
        for (String d : docs) assertArrayEquals(t.encode(d), back.encode(d));
        back.save(dir.resolve("again.json"));
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(dir.resolve("again.json")));
        String json = Files.readString(file);
        assertTrue(json.contains("\"type\": \"byte_bpe\"") && json.contains("\"version\": 1") && json.contains("\"<|endoftext|>\": 419"), json);
    }

    @Test
    void displayShowsPartialCharactersAsBytes() {
        // 春 is E6 98 A5 in UTF-8; in "春春" (E6 98) and (98 A5) both count 2 and the tie goes to the lower pair
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.train(List.of("春春"), 258);
        assertArrayEquals(new int[][] {{0x98, 0xA5}}, t.merges());
        assertEquals("\\x98\\xA5", t.token(256));
        assertEquals("a", t.token(A));
    }

    @Test
    void errorsNameTheProblem(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteLevelBpeTokenizer.train(List.of("x"), 256));
        assertTrue(e.getMessage().contains("vocabSize must be at least 257"), e.getMessage());
        ByteLevelBpeTokenizer t = ByteLevelBpeTokenizer.train(List.of("aaabdaaabac"), 1000);
        e = assertThrows(IllegalArgumentException.class, () -> t.encode("ok \uD800 broken"));
        assertTrue(e.getMessage().contains("unpaired surrogate U+D800 at char 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {97, 260}));
        assertTrue(e.getMessage().contains("token 1 has id 260, outside [0, 260)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ByteLevelBpeTokenizer.fromMerges(new int[][] {{97, 256}}));
        assertTrue(e.getMessage().contains("ids must be below 256"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ByteLevelBpeTokenizer.fromMerges(new int[][] {{97, 97}, {97, 97}}));
        assertTrue(e.getMessage().contains("repeats an earlier merge"), e.getMessage());

        Path file = dir.resolve("t.json");
        t.save(file);
        String good = Files.readString(file);
        assertLoadFails(file, good.replace("\"version\": 1", "\"version\": 2"), "version 2 is not supported");
        assertLoadFails(file, good.replace("byte_bpe", "wordpiece"), "unknown tokenizer type wordpiece");
        assertLoadFails(file, good.replace("[256, 257]", "[256, 258]"), "merge 2 must be an integer in [0, 257], got 258");
        assertLoadFails(file, good.replace("\"vocab_size\": 260", "\"vocab_size\": 261"), "vocab_size 261 does not match the 260 tokens");
        assertLoadFails(file, good.replace(": 259}", ": 7}"), "special_tokens must be {\"<|endoftext|>\": 259}");
        assertLoadFails(file, good.replace("kiln-unicode-v1", "gpt2-regex"), "pre_tokenizer gpt2-regex is not the one");
        assertLoadFails(file, good.substring(0, good.length() - 3), "JSON: unterminated");
    }

    private static void assertLoadFails(Path file, String content, String fragment) throws IOException {
        Files.writeString(file, content);
        IOException e = assertThrows(IOException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(fragment), e.getMessage());
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }
}
