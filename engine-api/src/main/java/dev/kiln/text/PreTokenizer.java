package dev.kiln.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the chunks that byte-level BPE merges stay inside, as GPT-2 does: English
 * contractions ('s, 't, 're, 've, 'm, 'll, 'd), runs of letters (with combining marks), runs of
 * digits and runs of other symbols, each optionally led by one space, and runs of whitespace
 * (a run followed by a non-space keeps its last space for the next chunk, so " world" stays one
 * chunk). The classes are Unicode categories, so Chinese characters (category Lo) form letter runs
 * and full-width punctuation forms symbol runs. The chunks concatenate back to the text exactly.
 */
final class PreTokenizer {
    /** The name saved in tokenizer files, so a later change to the rule is detected on load. */
    static final String NAME = "kiln-unicode-v1";

    private static final Pattern CHUNK = Pattern.compile(
            "'(?:s|t|re|ve|m|ll|d)| ?[\\p{L}\\p{M}]+| ?\\p{N}+| ?[^\\s\\p{L}\\p{M}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private PreTokenizer() {}

    /**
     * The chunks of {@code text} in order; their concatenation is {@code text}.
     *
     * @param text any string
     * @return the chunks, none empty (no chunk for the empty string)
     */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = CHUNK.matcher(text);
        int pos = 0;
        while (m.find()) {
            // The alternatives cover every code point (whitespace, letter/mark, digit, other), so
            // matches are contiguous; a gap would lose text and must never pass silently.
            if (m.start() != pos) throw new IllegalStateException("PreTokenizer: gap at char " + pos + " in the chunk pattern");
            out.add(m.group());
            pos = m.end();
        }
        if (pos != text.length()) throw new IllegalStateException("PreTokenizer: text left over at char " + pos);
        return out;
    }
}
