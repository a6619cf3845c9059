package dev.kiln.text;

import dev.kiln.io.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as GPT-2 uses it: ids 0-255 are the bytes of UTF-8, each learned merge adds one
 * id (256 + its index) for the concatenation of two existing tokens, and the last id is the
 * special {@value Tokenizer#END_OF_TEXT}. Since every byte has a token, any string encodes, and
 * {@code decode(encode(s))} equals {@code s} for every string without unpaired surrogates (Chinese,
 * emoji, control characters and the empty string included).
 *
 * <p>Merges never cross the chunks of GPT-2's pre-tokenisation (words with their leading space,
 * digit runs, symbol runs, whitespace), defined here on Unicode categories so that it works for
 * Chinese as for English. {@link #train} learns the merges from documents (deterministically);
 * {@link #encode} applies them to each chunk by rank, lowest first, and caches chunk encodings.
 *
 * <pre>{@code
 * ByteLevelBpeTokenizer bpe = ByteLevelBpeTokenizer.train(corpus.documents(), 2048);
 * int[] ids = bpe.encode("Hello, world");
 * bpe.save(dir.resolve("tokenizer.json"));
 * }</pre>
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
    /** The "type" field of this tokenizer's JSON. */
    public static final String TYPE = "byte_bpe";
    /** The version of the JSON layout written by {@link #save}. */
    public static final int VERSION = 1;
    /** Chunk encodings kept at most (the cache stops growing there; encoding stays correct). */
    private static final int CACHE_LIMIT = 1 << 16;

    private final int[][] merges;
    private final Map<Long, Integer> ranks;
    private final byte[][] bytes;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ByteLevelBpeTokenizer(int[][] merges) {
        this.merges = merges;
        this.ranks = new HashMap<>();
        this.bytes = new byte[256 + merges.length][];
        for (int i = 0; i < 256; i++) bytes[i] = new byte[] {(byte) i};
        for (int i = 0; i < merges.length; i++) {
            int a = merges[i][0], b = merges[i][1];
            if (a < 0 || b < 0 || a >= 256 + i || b >= 256 + i) {
                throw new IllegalArgumentException("merge " + i + " joins " + a + " and " + b + "; ids must be below " + (256 + i));
            }
            if (ranks.putIfAbsent(pairKey(a, b), i) != null) throw new IllegalArgumentException("merge " + i + " (" + a + ", " + b + ") repeats an earlier merge");
            byte[] x = bytes[a], y = bytes[b], xy = new byte[x.length + y.length];
            System.arraycopy(x, 0, xy, 0, x.length);
            System.arraycopy(y, 0, xy, x.length, y.length);
            bytes[256 + i] = xy;
        }
    }

    /**
     * Learns a tokenizer from documents: merges until the vocabulary (256 bytes + merges + the
     * end-of-text token) has {@code vocabSize} ids, or until no pair of adjacent tokens occurs at
     * least twice (then {@link #vocabSize()} is smaller). The most frequent pair is merged first,
     * ties going to the lowest pair of ids; the same documents always give the same tokenizer.
     *
     * @param documents the training texts (their order does not matter)
     * @param vocabSize the vocabulary size wanted, at least 257
     * @return the tokenizer
     * @throws IllegalArgumentException if {@code vocabSize} is below 257 or a document holds an unpaired surrogate
     */
    public static ByteLevelBpeTokenizer train(List<String> documents, int vocabSize) {
        if (vocabSize < 257) {
            throw new IllegalArgumentException("ByteLevelBpeTokenizer.train: vocabSize must be at least 257 (256 bytes + end-of-text), got " + vocabSize);
        }
        for (int i = 0; i < documents.size(); i++) requireWellFormed(documents.get(i), "train: document " + i);
        return new ByteLevelBpeTokenizer(BpeTrainer.train(documents, vocabSize - 257));
    }

    /**
     * A tokenizer from a list of merges, as {@link #train} returns them from {@link #merges()}.
     *
     * @param merges the merges in order, each {first id, second id}; merge i creates id 256 + i
     * @return the tokenizer
     * @throws IllegalArgumentException if a merge names an id not yet defined or repeats an earlier one
     */
    public static ByteLevelBpeTokenizer fromMerges(int[][] merges) {
        int[][] copy = new int[merges.length][];
        for (int i = 0; i < merges.length; i++) {
            if (merges[i].length != 2) throw new IllegalArgumentException("merge " + i + " has " + merges[i].length + " ids, expected 2");
            copy[i] = merges[i].clone();
        }
        return new ByteLevelBpeTokenizer(copy);
    }

    /** {@return the learned merges in order, each {first id, second id} (a copy)} */
    public int[][] merges() {
        int[][] out = new int[merges.length][];
        for (int i = 0; i < merges.length; i++) out[i] = merges[i].clone();
        return out;
    }

    private static long pairKey(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code text} holds an unpaired surrogate (it has no UTF-8 form)
     */
    @Override
    public int[] encode(String text) {
        requireWellFormed(text, "encode");
        IntList out = new IntList(text.length() / 2 + 1);
        for (String chunk : PreTokenizer.split(text)) {
            int[] ids = cache.get(chunk);
            if (ids == null) {
                ids = encodeChunk(chunk);
                if (cache.size() < CACHE_LIMIT) cache.put(chunk, ids);
            }
            out.addAll(ids);
        }
        return out.toArray();
    }

    /** Applies the merges to one chunk's bytes: repeatedly the lowest-ranked adjacent pair, all its occurrences left to right. */
    private int[] encodeChunk(String chunk) {
        byte[] b = chunk.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
        int len = ids.length;
        while (len > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < len; i++) {
                Integer r = ranks.get(pairKey(ids[i], ids[i + 1]));
                if (r != null && r < best) best = r;
            }
            if (best == Integer.MAX_VALUE) break;
            int first = merges[best][0], second = merges[best][1], out = 0;
            for (int i = 0; i < len; ) {
                if (i + 1 < len && ids[i] == first && ids[i + 1] == second) {
                    ids[out++] = 256 + best;
                    i += 2;
                } else {
                    ids[out++] = ids[i++];
                }
            }
            len = out;
        }
        return java.util.Arrays.copyOf(ids, len);
    }

    /**
     * {@inheritDoc} Ids that end in the middle of a character (possible in generated sequences,
     * never in {@link #encode}'s output) decode to U+FFFD; {@link #decodeBytes} gives the raw bytes.
     */
    @Override
    public String decode(int[] tokens) {
        return new String(decodeBytes(tokens), StandardCharsets.UTF_8);
    }

    /**
     * The UTF-8 bytes of {@code tokens}, for printing generated text as it comes (a character may
     * span two tokens). The end-of-text id gives the bytes of {@value Tokenizer#END_OF_TEXT}.
     *
     * @param tokens ids in [0, {@link #vocabSize()})
     * @return the bytes
     * @throws IllegalArgumentException naming the position of an id out of range
     */
    public byte[] decodeBytes(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tokens.length * 3);
        for (int i = 0; i < tokens.length; i++) out.writeBytes(tokenBytes(tokens[i], "decode: token " + i));
        return out.toByteArray();
    }

    private byte[] tokenBytes(int id, String where) {
        if (id == endOfText()) return END_OF_TEXT.getBytes(StandardCharsets.UTF_8);
        if (id < 0 || id >= bytes.length) throw new IllegalArgumentException(where + " has id " + id + ", outside [0, " + vocabSize() + ")");
        return bytes[id];
    }

    @Override
    public int vocabSize() {
        return bytes.length + 1;
    }

    @Override
    public int endOfText() {
        return bytes.length;
    }

    /**
     * {@inheritDoc} A token whose bytes are not whole UTF-8 characters (e.g. the first two bytes
     * of a Chinese character) is shown as its bytes, e.g. {@code \xE6\x98}.
     */
    @Override
    public String token(int id) {
        byte[] b = tokenBytes(id, "token");
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder sb = new StringBuilder();
            for (byte x : b) sb.append(String.format("\\x%02X", x & 0xFF));
            return sb.toString();
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * {@inheritDoc} The JSON holds the type, the version, the pre-tokenisation rule's name, the
     * special tokens with their ids and the merges as pairs of ids, one per line.
     */
    @Override
    public void save(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("{\n  \"type\": \"").append(TYPE).append("\",\n  \"version\": ").append(VERSION)
                .append(",\n  \"pre_tokenizer\": \"").append(PreTokenizer.NAME).append("\",\n  \"vocab_size\": ").append(vocabSize())
                .append(",\n  \"special_tokens\": {");
        TokenizerJson.writeString(sb, END_OF_TEXT);
        sb.append(": ").append(endOfText()).append("},\n  \"merges\": [");
        for (int i = 0; i < merges.length; i++) {
            sb.append(i == 0 ? "\n    [" : ",\n    [").append(merges[i][0]).append(", ").append(merges[i][1]).append(']');
        }
        sb.append(merges.length == 0 ? "]\n}\n" : "\n  ]\n}\n");
        AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Builds the tokenizer from parsed JSON, checking every field (see {@link #save}). */
    static ByteLevelBpeTokenizer fromJson(Map<String, Object> json) {
        TokenizerFiles.requireVersion(json, VERSION);
        if (!PreTokenizer.NAME.equals(json.get("pre_tokenizer"))) {
            throw new IllegalArgumentException("pre_tokenizer " + json.get("pre_tokenizer") + " is not the one this Kiln implements (\"" + PreTokenizer.NAME + "\")");
        }
        List<Object> list = TokenizerJson.list(json, "merges");
        int[][] merges = new int[list.size()][];
        for (int i = 0; i < merges.length; i++) {
            if (!(list.get(i) instanceof List<?> pair) || pair.size() != 2) throw new IllegalArgumentException("merge " + i + " must be a pair of ids");
            merges[i] = new int[] {TokenizerJson.integer(pair.get(0), "merge " + i, 0, 255 + i), TokenizerJson.integer(pair.get(1), "merge " + i, 0, 255 + i)};
        }
        ByteLevelBpeTokenizer t = new ByteLevelBpeTokenizer(merges);
        TokenizerFiles.requireLayout(json, t);
        return t;
    }

    /** Throws if {@code text} holds an unpaired surrogate, which has no UTF-8 encoding. */
    static void requireWellFormed(String text, String where) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("ByteLevelBpeTokenizer." + where + ": unpaired surrogate U+" + String.format("%04X", (int) c)
                        + " at char " + i + " (not valid Unicode text)");
            }
        }
    }

    @Override
    public String toString() {
        return "ByteLevelBpeTokenizer(vocabSize " + vocabSize() + ", " + merges.length + " merges)";
    }
}
