package dev.kiln.text;

import java.util.Map;

/** Checks shared by the tokenizer JSON readers: the version, the vocabulary size and the special tokens. */
final class TokenizerFiles {
    private TokenizerFiles() {}

    /**
     * Requires the "version" field to be {@code version}.
     *
     * @param json the parsed file
     * @param version the version this Kiln reads
     * @throws IllegalArgumentException if it differs
     */
    static void requireVersion(Map<String, Object> json, int version) {
        Object v = json.get("version");
        if (!(v instanceof Long l) || l != version) {
            throw new IllegalArgumentException("version " + v + " is not supported (this Kiln reads version " + version + ")");
        }
    }

    /**
     * Requires "vocab_size" and "special_tokens" (exactly the end-of-text token) to match what
     * the rest of the file built.
     *
     * @param json the parsed file
     * @param t the tokenizer built from it
     * @throws IllegalArgumentException if they differ
     */
    static void requireLayout(Map<String, Object> json, Tokenizer t) {
        Object size = json.get("vocab_size");
        if (!(size instanceof Long l) || l != t.vocabSize()) {
            throw new IllegalArgumentException("vocab_size " + size + " does not match the " + t.vocabSize() + " tokens the file defines");
        }
        Map<String, Object> special = TokenizerJson.map(json, "special_tokens");
        if (special.size() != 1 || !(special.get(Tokenizer.END_OF_TEXT) instanceof Long id) || id != t.endOfText()) {
            throw new IllegalArgumentException("special_tokens must be {\"" + Tokenizer.END_OF_TEXT + "\": " + t.endOfText() + "}, got " + special);
        }
    }
}
