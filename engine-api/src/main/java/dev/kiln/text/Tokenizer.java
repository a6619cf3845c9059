package dev.kiln.text;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns text into token ids and back. Ids run from 0 to {@code vocabSize() - 1}; one of them,
 * {@link #endOfText()}, is the special {@code <|endoftext|>} token that separates documents in a
 * training stream and ends generation. {@link #encode} never produces it (text that happens to
 * contain the characters {@code <|endoftext|>} is encoded as ordinary text).
 *
 * <p>Implementations: {@link ByteLevelBpeTokenizer} (GPT-2-style byte-level BPE, any text) and
 * {@link CharTokenizer} (one token per character of a fixed alphabet). Tokenizers are immutable
 * and safe to share between threads; {@link #save} writes JSON that {@link #load} reads back.
 */
public interface Tokenizer {
    /** The text of the end-of-text token. */
    String END_OF_TEXT = "<|endoftext|>";

    /**
     * Encodes {@code text}.
     *
     * @param text any string
     * @return the token ids (empty for the empty string), never {@link #endOfText()}
     * @throws IllegalArgumentException if the text cannot be encoded (see the implementation)
     */
    int[] encode(String text);

    /**
     * Decodes ids back to text: {@code decode(encode(s))} equals {@code s}. The end-of-text id
     * decodes to {@link #END_OF_TEXT}.
     *
     * @param tokens ids in [0, {@link #vocabSize()})
     * @return the text
     * @throws IllegalArgumentException naming the position of an id out of range
     */
    String decode(int[] tokens);

    /** {@return the number of token ids, the end-of-text token included} */
    int vocabSize();

    /** {@return the id of the end-of-text token, used between documents and as the stop token} */
    int endOfText();

    /**
     * What token {@code id} stands for, for display (e.g. in a list of a model's top predictions).
     *
     * @param id a token id in [0, {@link #vocabSize()})
     * @return its text (see the implementation for tokens that are not whole characters)
     * @throws IllegalArgumentException if {@code id} is out of range
     */
    String token(int id);

    /** {@return the "type" field of this tokenizer's JSON file} */
    String type();

    /**
     * Writes this tokenizer as JSON (UTF-8), replacing {@code file} atomically.
     *
     * @param file the destination, e.g. {@code tokenizer.json} next to a checkpoint
     * @throws IOException if it cannot be written
     */
    void save(Path file) throws IOException;

    /**
     * Encodes documents into one training stream: {@code EOT d1 EOT d2 EOT ... dn EOT}, so that every
     * document both follows and is followed by the end-of-text token (a model learns to start one
     * after it and to stop with it).
     *
     * @param documents the documents in order
     * @return the token stream
     */
    default int[] encodeDocuments(List<String> documents) {
        int eot = endOfText();
        int[][] parts = new int[documents.size()][];
        long total = 1;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = encode(documents.get(i));
            total += parts[i].length + 1L;
        }
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("encodeDocuments: " + total + " tokens do not fit one array");
        int[] out = new int[(int) total];
        int at = 0;
        out[at++] = eot;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
            out[at++] = eot;
        }
        return out;
    }

    /**
     * Reads a tokenizer written by {@link #save}, choosing the class by the file's "type" field
     * ({@value ByteLevelBpeTokenizer#TYPE} or {@value CharTokenizer#TYPE}).
     *
     * @param file a tokenizer JSON file
     * @return the tokenizer
     * @throws IOException if the file cannot be read, is not valid UTF-8 or JSON, has an unknown
     *     type or version, or holds inconsistent tokens (the message names the file)
     */
    static Tokenizer load(Path file) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not a tokenizer file (not UTF-8 text)", e);
        }
        try {
            if (!(TokenizerJson.parse(text) instanceof Map<?, ?> root)) throw new IllegalArgumentException("the top level must be an object");
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) root;
            Object type = json.get("type");
            if (ByteLevelBpeTokenizer.TYPE.equals(type)) return ByteLevelBpeTokenizer.fromJson(json);
            if (CharTokenizer.TYPE.equals(type)) return CharTokenizer.fromJson(json);
            throw new IllegalArgumentException("unknown tokenizer type " + type + " (expected \"" + ByteLevelBpeTokenizer.TYPE
                    + "\" or \"" + CharTokenizer.TYPE + "\")");
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
