package dev.kiln.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A reference BPE trainer for tests, written for obviousness rather than speed: every step
 * recounts all adjacent pairs of every chunk occurrence (no chunk deduplication, no incremental
 * bookkeeping), takes the most frequent (ties: lowest first id, then second), and rewrites every
 * chunk. Same rules as {@link BpeTrainer}, independent code.
 */
final class NaiveBpe {
    private NaiveBpe() {}

    static int[][] train(List<String> documents, int maxMerges) {
        List<List<Integer>> chunks = new ArrayList<>();
        for (String d : documents) {
            for (String c : PreTokenizer.split(d)) {
                List<Integer> ids = new ArrayList<>();
                for (byte b : c.getBytes(StandardCharsets.UTF_8)) ids.add(b & 0xFF);
                chunks.add(ids);
            }
        }
        List<int[]> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Map<List<Integer>, Integer> counts = new HashMap<>();
            for (List<Integer> c : chunks) for (int i = 0; i + 1 < c.size(); i++) counts.merge(List.of(c.get(i), c.get(i + 1)), 1, Integer::sum);
            List<Integer> best = null;
            int bestCount = 0;
            for (Map.Entry<List<Integer>, Integer> e : counts.entrySet()) {
                List<Integer> p = e.getKey();
                int n = e.getValue();
                boolean better = n > bestCount || (n == bestCount && (p.get(0) < best.get(0) || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1))));
                if (better) {
                    best = p;
                    bestCount = n;
                }
            }
            if (best == null || bestCount < 2) break;
            int id = 256 + merges.size();
            for (List<Integer> c : chunks) {
                for (int i = 0; i + 1 < c.size(); i++) {
                    if (c.get(i).equals(best.get(0)) && c.get(i + 1).equals(best.get(1))) {
                        c.set(i, id);
                        c.remove(i + 1);
                    }
                }
            }
            merges.add(new int[] {best.get(0), best.get(1)});
        }
        return merges.toArray(new int[0][]);
    }
}
