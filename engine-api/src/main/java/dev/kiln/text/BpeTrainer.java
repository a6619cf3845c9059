package dev.kiln.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Learns byte-level BPE merges. The documents are cut into chunks ({@link PreTokenizer}) and each
 * distinct chunk becomes a "word" of byte ids weighted by how often it occurs, so merges never cross
 * a chunk boundary. Each step merges the most frequent adjacent pair (counted with overlaps, as
 * {@code a a a} holds the pair {@code a a} twice), ties going to the lowest pair (first id, then
 * second id); the new id is 256 + the merge's index. Training stops at the requested number of merges
 * or when no pair occurs at least twice.
 *
 * <p>Pair counts are updated incrementally: each pair keeps the words it occurs in, and a merge
 * revisits only those words, changing only the counts of the pairs next to each occurrence. A priority queue with lazy deletion finds the best pair: an entry whose count no longer
 * matches the pair's current count is stale and skipped (every count change pushes a fresh entry).
 */
final class BpeTrainer {
    /** A pair must occur at least this often (over the whole corpus) to be merged. */
    static final int MIN_PAIR_COUNT = 2;

    /** A pair's current count and the words it may occur in (duplicates and stale words allowed). */
    private static final class PairStat {
        long count;
        int[] words = new int[4];
        int size;

        void addWord(int w) {
            if (size > 0 && words[size - 1] == w) return;
            if (size == words.length) words = Arrays.copyOf(words, size * 2);
            words[size++] = w;
        }
    }

    /** A queue entry: a pair and the count it had when pushed. */
    private record Candidate(long count, int first, int second) {}

    private final int[][] words;
    private final int[] lengths;
    private final long[] freqs;
    private final int[] visited;
    private final Map<Long, PairStat> stats = new HashMap<>();
    private final Set<Long> merged = new HashSet<>();
    private final PriorityQueue<Candidate> queue = new PriorityQueue<>((x, y) -> x.count != y.count ? Long.compare(y.count, x.count)
            : x.first != y.first ? Integer.compare(x.first, y.first) : Integer.compare(x.second, y.second));
    private final Set<Long> touched = new HashSet<>();

    private BpeTrainer(Map<String, Long> chunkCounts) {
        int n = chunkCounts.size();
        words = new int[n][];
        lengths = new int[n];
        freqs = new long[n];
        visited = new int[n];
        Arrays.fill(visited, -1);
        int w = 0;
        for (Map.Entry<String, Long> e : chunkCounts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            words[w] = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) words[w][i] = bytes[i] & 0xFF;
            lengths[w] = bytes.length;
            freqs[w] = e.getValue();
            w++;
        }
    }

    /**
     * Learns up to {@code maxMerges} merges from {@code documents}.
     *
     * @param documents the training texts
     * @param maxMerges the most merges to learn
     * @return the merges in order, each {first id, second id}; merge i creates id 256 + i
     */
    static int[][] train(List<String> documents, int maxMerges) {
        // A sorted map: the words' order is fixed whatever the documents' order (results do not
        // depend on it anyway, but a fixed order keeps runs reproducible to the last detail).
        Map<String, Long> counts = new TreeMap<>();
        for (String doc : documents) for (String chunk : PreTokenizer.split(doc)) counts.merge(chunk, 1L, Long::sum);
        return new BpeTrainer(counts).run(maxMerges);
    }

    private static long key(int first, int second) {
        return ((long) first << 32) | (second & 0xFFFFFFFFL);
    }

    private int[][] run(int maxMerges) {
        for (int w = 0; w < words.length; w++) addPairs(w);
        pushTouched();
        List<int[]> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Candidate best = pollBest();
            if (best == null || best.count < MIN_PAIR_COUNT) break;
            int id = 256 + merges.size();
            apply(best.first, best.second, id, merges.size());
            merges.add(new int[] {best.first, best.second});
        }
        return merges.toArray(new int[0][]);
    }

    /** The highest valid queue entry, or null when no pair is left. */
    private Candidate pollBest() {
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            long k = key(c.first, c.second);
            PairStat s = stats.get(k);
            if (s != null && s.count == c.count && !merged.contains(k)) return c;
        }
        return null;
    }

    /**
     * Merges every occurrence of (first, second) into {@code id} in the words holding it, left to
     * right, adjusting only the pairs around each occurrence: (prev, first) becomes (prev, id) and
     * (second, next) becomes (id, next), where prev is the symbol already written (itself {@code id}
     * after a merge just before) and next the symbol not yet read. The merged pair leaves the counts.
     */
    private void apply(int first, int second, int id, int step) {
        long k = key(first, second);
        // Greedy left-to-right merging leaves no occurrence of the pair, so it leaves the counts for good.
        PairStat stat = stats.remove(k);
        merged.add(k);
        for (int i = 0; i < stat.size; i++) {
            int w = stat.words[i];
            if (visited[w] == step) continue;
            visited[w] = step;
            int[] sym = words[w];
            int len = lengths[w], out = 0;
            long f = freqs[w];
            for (int j = 0; j < len; ) {
                if (j + 1 < len && sym[j] == first && sym[j + 1] == second) {
                    if (out > 0) {
                        change(sym[out - 1], first, -f, w);
                        change(sym[out - 1], id, f, w);
                    }
                    if (j + 2 < len) {
                        change(second, sym[j + 2], -f, w);
                        change(id, sym[j + 2], f, w);
                    }
                    sym[out++] = id;
                    j += 2;
                } else {
                    sym[out++] = sym[j++];
                }
            }
            lengths[w] = out;
        }
        pushTouched();
    }

    /** Adds {@code delta} to a pair's count; an increase lists word {@code w} under the pair. The merged pair (no stat) is skipped. */
    private void change(int a, int b, long delta, int w) {
        long k = key(a, b);
        PairStat s = delta > 0 ? stats.computeIfAbsent(k, x -> new PairStat()) : stats.get(k);
        if (s == null) return;
        s.count += delta;
        if (delta > 0) s.addWord(w);
        touched.add(k);
    }

    /** Counts word {@code w}'s pairs and lists it under each (at the start). */
    private void addPairs(int w) {
        int[] sym = words[w];
        for (int j = 0; j + 1 < lengths[w]; j++) {
            long k = key(sym[j], sym[j + 1]);
            PairStat s = stats.computeIfAbsent(k, x -> new PairStat());
            s.count += freqs[w];
            s.addWord(w);
            touched.add(k);
        }
    }

    private void pushTouched() {
        for (long k : touched) {
            PairStat s = stats.get(k);
            if (s != null && s.count > 0) queue.add(new Candidate(s.count, (int) (k >>> 32), (int) k));
        }
        touched.clear();
    }
}
