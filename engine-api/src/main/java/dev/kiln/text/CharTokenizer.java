package dev.kiln.text;

import dev.kiln.io.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One token per character (Unicode code point): the vocabulary is the distinct code points of the
 * training text in ascending order (ids 0 to n - 1), then the end-of-text token (id n). The simple
 * option beside {@link ByteLevelBpeTokenizer}: small and exact, but a character the training text
 * did not hold cannot be encoded ({@link #encode} throws, naming it; there is no unknown token, so
 * nothing is silently lost).
 */
public final class CharTokenizer implements Tokenizer {
    /** The "type" field of this tokenizer's JSON. */
    public static final String TYPE = "char";
    /** The version of the JSON layout written by {@link #save}. */
    public static final int VERSION = 1;

    private final int[] codePoints;

    private CharTokenizer(int[] sortedCodePoints) {
        this.codePoints = sortedCodePoints;
    }

    /**
     * The tokenizer whose vocabulary is every code point of {@code documents}.
     *
     * @param documents the training texts
     * @return the tokenizer
     */
    public static CharTokenizer train(List<String> documents) {
        TreeSet<Integer> seen = new TreeSet<>();
        for (String d : documents) d.codePoints().forEach(seen::add);
        return new CharTokenizer(seen.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException naming the character, its code point and its position if it is not in the vocabulary
     */
    @Override
    public int[] encode(String text) {
        int[] out = new int[text.codePointCount(0, text.length())];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int id = java.util.Arrays.binarySearch(codePoints, cp);
            if (id < 0) {
                throw new IllegalArgumentException("CharTokenizer.encode: character '" + new String(Character.toChars(cp)) + "' (U+"
                        + String.format("%04X", cp) + ") at char " + i + " is not in the vocabulary of " + codePoints.length
                        + " characters (train on text that holds it, or use ByteLevelBpeTokenizer)");
            }
            out[n++] = id;
            i += Character.charCount(cp);
        }
        return out;
    }

    @Override
    public String decode(int[] tokens) {
        StringBuilder sb = new StringBuilder(tokens.length);
        for (int i = 0; i < tokens.length; i++) sb.append(text(tokens[i], "decode: token " + i));
        return sb.toString();
    }

    private String text(int id, String where) {
        if (id == endOfText()) return END_OF_TEXT;
        if (id < 0 || id > codePoints.length) throw new IllegalArgumentException(where + " has id " + id + ", outside [0, " + vocabSize() + ")");
        return new String(Character.toChars(codePoints[id]));
    }

    @Override
    public int vocabSize() {
        return codePoints.length + 1;
    }

    @Override
    public int endOfText() {
        return codePoints.length;
    }

    @Override
    public String token(int id) {
        return text(id, "token");
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** {@inheritDoc} The JSON lists the code points (as numbers) in id order. */
    @Override
    public void save(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("{\n  \"type\": \"").append(TYPE).append("\",\n  \"version\": ").append(VERSION)
                .append(",\n  \"vocab_size\": ").append(vocabSize()).append(",\n  \"special_tokens\": {");
        TokenizerJson.writeString(sb, END_OF_TEXT);
        sb.append(": ").append(endOfText()).append("},\n  \"code_points\": [");
        for (int i = 0; i < codePoints.length; i++) sb.append(i == 0 ? "" : ", ").append(codePoints[i]);
        sb.append("]\n}\n");
        AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Builds the tokenizer from parsed JSON, checking every field (see {@link #save}). */
    static CharTokenizer fromJson(Map<String, Object> json) {
        TokenizerFiles.requireVersion(json, VERSION);
        List<Object> list = TokenizerJson.list(json, "code_points");
        int[] cps = new int[list.size()];
        for (int i = 0; i < cps.length; i++) {
            cps[i] = TokenizerJson.integer(list.get(i), "code point " + i, 0, Character.MAX_CODE_POINT);
            if (i > 0 && cps[i] <= cps[i - 1]) throw new IllegalArgumentException("code_points must be strictly ascending (at index " + i + ")");
        }
        CharTokenizer t = new CharTokenizer(cps);
        TokenizerFiles.requireLayout(json, t);
        return t;
    }

    @Override
    public String toString() {
        return "CharTokenizer(vocabSize " + vocabSize() + ")";
    }
}
