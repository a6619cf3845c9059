package dev.kiln.text;

import dev.kiln.tensor.Generator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A text corpus as a list of documents, read from the fortune files that {@code ./kiln fetch-data}
 * puts under {@code data/fortunes}: {@code fortunes} (every English file of {@code data/fortunes/en},
 * about 2.5 MB), {@code chinese}, {@code tang300} (the 300 Tang poems) and {@code song100} (each one
 * file of {@code data/fortunes/zh}).
 *
 * <p>A fortune file holds documents separated by lines that are just {@code %}. Each document has
 * its ANSI colour escapes removed (the Chinese files colour titles and authors with sequences such
 * as {@code ESC[32m}), is trimmed of surrounding whitespace, and is dropped when empty; the rest of
 * the text is kept exactly. Files are read in name order, so the documents' order does not depend
 * on the order a directory lists them.
 */
public final class TextCorpus {
    /** The corpus names {@link #load} knows. */
    public static final List<String> NAMES = List.of("fortunes", "chinese", "tang300", "song100");

    /** A control sequence (CSI): ESC [ parameters, intermediates, final byte; colours are ESC[...m. */
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]");
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^%$\\n?");

    private final String name;
    private final List<String> documents;

    /**
     * A corpus of given documents.
     *
     * @param name a name for messages
     * @param documents the documents in order (copied)
     */
    public TextCorpus(String name, List<String> documents) {
        this.name = name;
        this.documents = List.copyOf(documents);
    }

    /**
     * Loads corpus {@code name} from a data directory laid out as {@code ./kiln fetch-data} leaves it.
     *
     * @param dataDir the data directory (e.g. {@code data}), holding {@code fortunes/en} and {@code fortunes/zh}
     * @param name one of {@link #NAMES}
     * @return the corpus
     * @throws IllegalArgumentException if the name is unknown
     * @throws IOException if the files are missing (the message says which {@code ./kiln fetch-data} to run),
     *     unreadable, or not UTF-8
     */
    public static TextCorpus load(Path dataDir, String name) throws IOException {
        List<Path> files = switch (name) {
            case "fortunes" -> textFiles(dataDir.resolve("fortunes").resolve("en"), "fortunes");
            case "chinese", "tang300", "song100" -> {
                Path f = dataDir.resolve("fortunes").resolve("zh").resolve(name);
                if (!Files.isRegularFile(f)) throw missing(f, "fortunes-zh");
                yield List.of(f);
            }
            default -> throw new IllegalArgumentException("TextCorpus: unknown corpus '" + name + "' (expected one of " + NAMES + ")");
        };
        List<String> docs = new ArrayList<>();
        for (Path f : files) docs.addAll(parseDocuments(read(f)));
        if (docs.isEmpty()) throw new IOException("TextCorpus: " + files + " hold no documents");
        return new TextCorpus(name, docs);
    }

    private static List<Path> textFiles(Path dir, String set) throws IOException {
        if (!Files.isDirectory(dir)) throw missing(dir, set);
        try (Stream<Path> s = Files.list(dir)) {
            // Hidden files are fetch-data's manifests; sorting by name makes the order independent of the file system.
            List<Path> files = s.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
            if (files.isEmpty()) throw missing(dir, set);
            return files;
        }
    }

    private static IOException missing(Path where, String set) {
        return new IOException("TextCorpus: " + where + " not found (or empty); run './kiln fetch-data --only " + set
                + "' or point the data directory at a folder holding fortunes/en and fortunes/zh");
    }

    private static String read(Path file) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("TextCorpus: " + file + " is not UTF-8 text", e);
        }
    }

    /**
     * The documents of one fortune file's text: split at lines that are just {@code %}, ANSI
     * escapes removed, trimmed, empty ones dropped.
     *
     * @param text a fortune file's content
     * @return its documents in order
     */
    public static List<String> parseDocuments(String text) {
        List<String> out = new ArrayList<>();
        for (String part : SEPARATOR.split(stripAnsi(text), -1)) {
            String doc = part.strip();
            if (!doc.isEmpty()) out.add(doc);
        }
        return out;
    }

    /**
     * Removes ANSI control sequences ({@code ESC [ ... m} colours and the like). Repeats until none
     * is left, since the Chinese files nest one inside another ({@code ESC[;ESC[34;1mm}).
     *
     * @param text any text
     * @return the text without them
     */
    public static String stripAnsi(String text) {
        String prev;
        do {
            prev = text;
            text = ANSI.matcher(text).replaceAll("");
        } while (!text.equals(prev));
        return text;
    }

    /** {@return the corpus name} */
    public String name() {
        return name;
    }

    /** {@return the documents in order (unmodifiable)} */
    public List<String> documents() {
        return documents;
    }

    /**
     * Splits the documents into training and validation parts: a seeded shuffle of the document
     * indices picks {@code round(validationFraction * n)} of them (at least one when the fraction
     * is positive, and never all) for validation; both parts keep corpus order. The same corpus,
     * fraction and seed give the same split.
     *
     * @param validationFraction the share of documents held out, in [0, 1)
     * @param seed the shuffle's seed
     * @return the split
     * @throws IllegalArgumentException if the fraction is outside [0, 1), or positive with fewer than two documents
     */
    public DocumentSplit split(double validationFraction, long seed) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("TextCorpus.split: validationFraction must be in [0, 1), got " + validationFraction);
        }
        int n = documents.size();
        int held = 0;
        if (validationFraction > 0) {
            if (n < 2) throw new IllegalArgumentException("TextCorpus.split: '" + name + "' has " + n + " document; a validation part needs at least 2");
            held = (int) Math.max(1, Math.min(n - 1, Math.round(validationFraction * n)));
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        new Generator(seed).shuffle(order);
        boolean[] validation = new boolean[n];
        for (int i = 0; i < held; i++) validation[order[i]] = true;
        List<String> train = new ArrayList<>(n - held), val = new ArrayList<>(held);
        for (int i = 0; i < n; i++) (validation[i] ? val : train).add(documents.get(i));
        return new DocumentSplit(train, val);
    }

    @Override
    public String toString() {
        return "TextCorpus(" + name + ", " + documents.size() + " documents)";
    }
}
