package dev.kiln.text;

import java.nio.file.Path;

/**
 * Not a test: measures byte-level BPE training time and tokens per character on the fetched
 * corpora (a measurement, so it is run by hand, never by the suite).
 * Run: {@code java -cp engine-api/target/classes:engine-api/target/test-classes dev.kiln.text.BpeTrainingMeasure data 2048 fortunes chinese}
 */
public final class BpeTrainingMeasure {
    private BpeTrainingMeasure() {}

    /**
     * Trains on each named corpus's training split (5% of documents held out, seed 1234) and prints the
     * training time (wall and this thread's CPU time), vocabulary and tokens per character on both splits.
     *
     * @param args data directory, vocabulary size, corpus names
     * @throws Exception if a corpus cannot be read
     */
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int vocab = Integer.parseInt(args[1]);
        for (int i = 2; i < args.length; i++) {
            TextCorpus corpus = TextCorpus.load(data, args[i]);
            DocumentSplit split = corpus.split(0.05, 1234);
            long chars = split.train().stream().mapToLong(s -> s.codePointCount(0, s.length())).sum();
            long bytes = split.train().stream().mapToLong(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
            ByteLevelBpeTokenizer bpe = ByteLevelBpeTokenizer.train(split.train(), vocab);
            double trainS = (System.nanoTime() - t0) / 1e9, trainCpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
            t0 = System.nanoTime();
            int[] train = bpe.encodeDocuments(split.train());
            double encS = (System.nanoTime() - t0) / 1e9;
            int[] val = bpe.encodeDocuments(split.validation());
            long valChars = split.validation().stream().mapToLong(s -> s.codePointCount(0, s.length())).sum();
            int unique = CharTokenizer.train(split.train()).vocabSize();
            System.out.printf("%s: %d docs (%d train / %d val), %d chars, %d bytes; train %.2f s wall (%.2f s CPU) to vocab %d; encode %.2f s;"
                    + " tokens/char train %.3f, val %.3f; char vocab %d%n", args[i], corpus.documents().size(), split.train().size(),
                    split.validation().size(), chars, bytes, trainS, trainCpu, bpe.vocabSize(), encS, (double) train.length / chars,
                    (double) val.length / valChars, unique);
        }
    }
}
