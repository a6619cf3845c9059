package dev.kiln.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The GPT-2-style chunking, against chunk lists written out by hand. */
class PreTokenizerTest {
    @Test
    void englishWordsKeepTheirLeadingSpace() {
        assertEquals(List.of("Hello", ",", " world", "!!", " I", "'m", " 42", " years", "\n"), PreTokenizer.split("Hello, world!! I'm 42 years\n"));
    }

    @Test
    void whitespaceRunsLeaveTheLastSpaceToTheNextWord() {
        assertEquals(List.of("a", "  ", " b", "\n\n", "\t", "c", "   "), PreTokenizer.split("a   b\n\n\tc   "));
    }

    @Test
    void chineseRunsAreLettersAndFullWidthPunctuationIsSymbols() {
        assertEquals(List.of("春眠不觉晓", "，", "处处闻啼鸟", "。", "\n", "《", "静夜思", "》", " ９４６", "－", "Debian"),
                PreTokenizer.split("春眠不觉晓，处处闻啼鸟。\n《静夜思》 ９４６－Debian"));
    }

    @Test
    void marksStayWithTheirLettersAndEmojiAreSymbols() {
        // e + combining acute accent is one letter run; an emoji (outside the BMP) is a symbol
        assertEquals(List.of("cafe\u0301", " \uD83D\uDE00\uD83D\uDE00", " ok"), PreTokenizer.split("cafe\u0301 \uD83D\uDE00\uD83D\uDE00 ok"));
        assertEquals(List.of(), PreTokenizer.split(""));
    }
}
