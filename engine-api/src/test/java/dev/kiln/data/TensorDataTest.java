package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.spi.Backend;
import dev.kiln.tensor.DType;
import dev.kiln.testing.HostOnlyBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * TensorDataset, the stacking and padding collates and a DataLoader over named tensors, against
 * expectations written out by hand (PyTorch's pad_sequence layout: [B, T, ...], padding after
 * each sequence by default; key_padding_mask true at padding).
 */
class TensorDataTest {
    /** Three token sequences of lengths 3, 1, 2 with per-position targets (token + 10). */
    private static TensorDataset sequences() {
        return TensorDataset.builder()
                .input("tokens", HostTensor.sequences(new long[] {1, 2, 3}, new long[] {4}, new long[] {5, 6}))
                .input("speaker", HostTensor.ints(new int[] {7, 8, 9}, 3))
                .target("targets", HostTensor.sequences(new long[] {11, 12, 13}, new long[] {14}, new long[] {15, 16}))
                .build();
    }

    private static List<Map<String, HostTensor>> all(TensorDataset d) {
        List<Map<String, HostTensor>> out = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) out.add(d.sample(i));
        return out;
    }

    @Test
    void padsOnTheRightWithLengthsAndMask() {
        Map<String, HostTensor> b = Collate.padSequences().pad("tokens", 0).pad("targets", -100).build().collate(all(sequences()));
        assertEquals(List.of("tokens", "speaker", "targets", "lengths", "padding_mask"), List.copyOf(b.keySet()));
        assertArrayEquals(new int[] {3, 3}, b.get("tokens").shape());
        assertArrayEquals(new long[] {1, 2, 3, 4, 0, 0, 5, 6, 0}, (long[]) b.get("tokens").data());
        assertArrayEquals(new long[] {11, 12, 13, 14, -100, -100, 15, 16, -100}, (long[]) b.get("targets").data());
        assertArrayEquals(new int[] {7, 8, 9}, (int[]) b.get("speaker").data());
        assertEquals(DType.INT64, b.get("lengths").dtype());
        assertArrayEquals(new long[] {3, 1, 2}, (long[]) b.get("lengths").data());
        assertEquals(DType.BOOL, b.get("padding_mask").dtype());
        assertArrayEquals(new int[] {3, 3}, b.get("padding_mask").shape());
        assertArrayEquals(new boolean[] {false, false, false, false, true, true, false, false, true}, (boolean[]) b.get("padding_mask").data());
    }

    @Test
    void padsOnTheLeftSoSequencesEndTogether() {
        Map<String, HostTensor> b = Collate.padSequences().pad("tokens", 9).pad("targets", -1).side(PadSequences.Side.LEFT)
                .names("len", "mask").build().collate(all(sequences()));
        assertArrayEquals(new long[] {1, 2, 3, 9, 9, 4, 9, 5, 6}, (long[]) b.get("tokens").data());
        assertArrayEquals(new long[] {11, 12, 13, -1, -1, 14, -1, 15, 16}, (long[]) b.get("targets").data());
        assertArrayEquals(new long[] {3, 1, 2}, (long[]) b.get("len").data());
        assertArrayEquals(new boolean[] {false, false, false, true, true, false, true, false, false}, (boolean[]) b.get("mask").data());
    }

    /** Feature sequences [T_i, F]: padded rows are whole feature vectors of the padding value. */
    @Test
    void padsFeatureSequencesAlongTime() {
        List<HostTensor> feats = List.of(HostTensor.floats(new float[] {1, 2}, 1, 2), HostTensor.floats(new float[] {3, 4, 5, 6}, 2, 2));
        TensorDataset d = TensorDataset.builder().input("x", feats).build();
        Map<String, HostTensor> b = Collate.padSequences().pad("x", 0.5).build().collate(all(d));
        assertArrayEquals(new int[] {2, 2, 2}, b.get("x").shape());
        assertArrayEquals(new float[] {1, 2, 0.5f, 0.5f, 3, 4, 5, 6}, (float[]) b.get("x").data());
        assertNull(d.target());
    }

    @Test
    void positionalDatasetSlicesAlongTheFirstDimension() {
        TensorDataset d = TensorDataset.of(HostTensor.floats(new float[] {0, 1, 2, 3, 4, 5}, 3, 2), HostTensor.longs(new long[] {7, 8, 9}, 3));
        assertEquals(List.of("0", "1"), d.names());
        assertEquals("1", d.target());
        assertArrayEquals(new float[] {4, 5}, (float[]) d.sample(2).get("0").data());
        assertArrayEquals(new int[0], d.sample(2).get("1").shape());
        assertArrayEquals(new long[] {9}, (long[]) d.sample(2).get("1").data());
        Map<String, HostTensor> b = Collate.stack().collate(List.of(d.sample(2), d.sample(0)));
        assertArrayEquals(new float[] {4, 5, 0, 1}, (float[]) b.get("0").data());
        assertArrayEquals(new long[] {9, 7}, (long[]) b.get("1").data());
        assertArrayEquals(new int[] {2}, b.get("1").shape());
    }

    @Test
    void errorsNameTheFieldAndTheShapes() {
        TensorDataset d = sequences();
        var e = assertThrows(IllegalArgumentException.class, () -> Collate.stack().collate(all(d)));
        assertTrue(e.getMessage().contains("'tokens'") && e.getMessage().contains("[3]") && e.getMessage().contains("[1]")
                && e.getMessage().contains("padSequences"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TensorDataset.builder().input("a", HostTensor.ints(new int[] {1, 2}, 2))
                .target("b", HostTensor.ints(new int[] {1, 2, 3}, 3)));
        assertTrue(e.getMessage().contains("'b' has 3 samples") && e.getMessage().contains("2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HostTensor.longs(new long[] {1, 2, 3}, 2, 2));
        assertTrue(e.getMessage().contains("[2, 2] needs 4 values, got 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new HostTensor(DType.INT64, new int[] {1}, new int[] {1}));
        assertTrue(e.getMessage().contains("INT64 needs a long[]"), e.getMessage());
        // the chosen fields of one sample must agree on their length
        TensorDataset bad = TensorDataset.builder().input("tokens", HostTensor.sequences(new long[] {1, 2}))
                .target("targets", HostTensor.sequences(new long[] {1})).build();
        e = assertThrows(IllegalArgumentException.class, () -> Collate.padSequences().pad("tokens", 0).pad("targets", -100).build()
                .collate(all(bad)));
        assertTrue(e.getMessage().contains("sample 0") && e.getMessage().contains("'targets' has 1 steps but 'tokens' has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Collate.padSequences().pad("words", 0).build().collate(all(d)));
        assertTrue(e.getMessage().contains("no field 'words'"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Collate.padSequences().build());
    }

    /** A loader over named tensors: shuffled batches of the right samples, as tensors of each field's dtype, freed by the epoch. */
    @Test
    void loaderBatchesNamedTensorsOnItsBackend() {
        Backend backend = HostOnlyBackend.create();
        List<long[]> seen = new ArrayList<>();
        try (DataLoader loader = DataLoader.builder(sequences()).batchSize(2).shuffle(true).seed(3).backend(backend)
                .collate(Collate.padSequences().pad("tokens", 0).pad("targets", -100).build()).build()) {
            assertEquals(3, loader.size());
            assertEquals(2, loader.batchesPerEpoch());
            assertThrows(IllegalStateException.class, loader::dataset);
            assertThrows(IllegalStateException.class, () -> loader.hostEpoch(0));
            for (int pass = 0; pass < 2; pass++) {
                List<Long> firsts = new ArrayList<>();
                try (Epoch<Batch> e = loader.epoch(1)) {
                    for (Batch b : e) {
                        assertEquals(List.of("tokens", "speaker", "lengths", "padding_mask"), b.inputNames());
                        assertEquals(List.of("tokens", "speaker", "targets", "lengths", "padding_mask"), b.names());
                        assertEquals(DType.INT64, b.target().dtype());
                        assertEquals(DType.BOOL, b.get("padding_mask").dtype());
                        long[] tokens = b.get("tokens").toLongArray(), targets = b.target().toLongArray(), lengths = b.get("lengths").toLongArray();
                        boolean[] mask = b.get("padding_mask").toBooleanArray();
                        int t = b.get("tokens").size(1);
                        for (int i = 0; i < b.size(); i++) {
                            firsts.add(tokens[i * t]);
                            for (int s = 0; s < t; s++) {
                                boolean pad = s >= lengths[i];
                                assertEquals(pad, mask[i * t + s]);
                                assertEquals(pad ? -100 : tokens[i * t + s] + 10, targets[i * t + s]);
                            }
                        }
                    }
                }
                seen.add(firsts.stream().mapToLong(Long::longValue).toArray());
            }
        }
        assertArrayEquals(seen.get(0), seen.get(1), "an epoch's order depends only on the seed and the epoch");
        assertEquals(3, java.util.Arrays.stream(seen.get(0)).distinct().count(), "every sample once: " + java.util.Arrays.toString(seen.get(0)));
        assertEquals(0, backend.bytesInUse(), "every batch freed by its epoch");
    }
}
