package dev.kiln.io;

import static dev.kiln.io.Files8.entry;
import static dev.kiln.io.Files8.safetensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Header validation on hand-made files: every damaged or hostile file is refused with a message naming file, tensor and problem. */
class SafeTensorsHeaderTest {
    @TempDir
    Path dir;

    private Path file(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("model.safetensors"), bytes);
    }

    private void refused(byte[] bytes, String... fragments) throws IOException {
        Path f = file(bytes);
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensorsHeader.read(f));
        assertTrue(e.getMessage().startsWith("model.safetensors: "), e.getMessage());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + e.getMessage() + "' lacks '" + s + "'");
    }

    @Test
    void acceptsAValidHeader() throws IOException {
        String json = "{\"__metadata__\":{\"format\":\"pt\"}," + entry("b", "I32", "[2]", 24, 32) + "," + entry("a", "F32", "[2,3]", 0, 24) + "}";
        SafeTensorsHeader h = SafeTensorsHeader.read(file(safetensors(json, 32)));
        assertEquals(Map.of("format", "pt"), h.metadata());
        assertEquals(java.util.List.of("a", "b"), java.util.List.copyOf(h.tensors().keySet()));
        assertArrayEquals(new int[] {2, 3}, h.tensors().get("a").shape());
        assertEquals(8 + json.length(), h.dataStart());
        assertEquals(32, h.dataSize());
    }

    @Test
    void acceptsEmptyAndZeroSizedTensors() throws IOException {
        assertEquals(0, SafeTensorsHeader.read(file(safetensors("{}", 0))).tensors().size());
        String json = "{" + entry("empty", "F32", "[0,5]", 0, 0) + "," + entry("s", "F32", "[]", 0, 4) + "}";
        assertEquals(2, SafeTensorsHeader.read(file(safetensors(json, 4))).tensors().size());
    }

    @Test
    void refusesTooShortFiles() throws IOException {
        refused(new byte[5], "file is 5 bytes, too short");
    }

    @Test
    void refusesHeaderLengthLargerThanTheFile() throws IOException {
        byte[] b = safetensors("{}", 0);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        refused(b, "header length 1099511627776 exceeds the file size (10 bytes");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        refused(b, "header length 18446744073709551615 exceeds the file size");
    }

    @Test
    void refusesHeadersOverTheLimit() throws IOException {
        Path f = dir.resolve("model.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(120_000_000L); // sparse: costs no disk
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(110_000_000L).array());
        }
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensorsHeader.read(f));
        assertTrue(e.getMessage().contains("header length 110000000 exceeds the limit of 100000000 bytes"), e.getMessage());
    }

    @Test
    void refusesBadJson() throws IOException {
        refused(safetensors("{\"a\": {", 0), "header is not valid JSON", "at character 7");
        refused(safetensors("[1, 2]", 0), "header does not start with '{'");
        refused(safetensors("{\"a\":1}x", 0), "not valid JSON");
        byte[] b = safetensors("{\"\u00e9\":1}", 0);
        b[10] = (byte) 0xC3; b[11] = (byte) 0x28; // broken UTF-8 sequence
        refused(b, "header is not valid UTF-8");
    }

    @Test
    void refusesDuplicateKeys() throws IOException {
        refused(safetensors("{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}", 8), "duplicate key \"w\"");
    }

    @Test
    void refusesMalformedEntries() throws IOException {
        refused(safetensors("{\"w\":5}", 0), "tensor 'w' is not a JSON object");
        refused(safetensors("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w' has no string \"dtype\"");
        refused(safetensors("{" + entry("w", "F33", "[1]", 0, 4) + "}", 4), "tensor 'w' has unknown dtype \"F33\"");
        refused(safetensors("{" + entry("w", "F32", "[-1]", 0, 4) + "}", 4), "tensor 'w': shape[0] is negative (-1)");
        refused(safetensors("{" + entry("w", "F32", "[1.5]", 0, 4) + "}", 4), "tensor 'w': shape[0] is not a non-negative integer (1.5)");
        refused(safetensors("{" + entry("w", "F32", "[3000000000]", 0, 4) + "}", 4), "dimension 3000000000 is larger than");
        refused(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4), "no \"data_offsets\" array of two integers");
        refused(safetensors("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__ value of \"k\" is not a string");
    }

    @Test
    void refusesOffsetsPastTheData() throws IOException {
        refused(safetensors("{" + entry("w", "F32", "[1000000,1000000]", 0, 4_000_000_000_000L) + "}", 16),
                "tensor 'w': data_offsets [0, 4000000000000] go past the end of the data section (16 bytes)");
        refused(safetensors("{" + entry("w", "F32", "[2]", 8, 4) + "}", 8), "tensor 'w': data_offsets [8, 4] end before they begin");
        refused(safetensors("{" + entry("w", "F32", "[1]", 0, 0) + "}", 0), "needs 4 bytes but data_offsets [0, 0] hold 0");
        refused(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}", 4),
                "data_offsets[1] is too large (99999999999999999999)");
    }

    @Test
    void refusesSizeMismatchesAndOverflow() throws IOException {
        refused(safetensors("{" + entry("w", "F32", "[2,3]", 0, 20) + "}", 20), "tensor 'w': shape [2, 3] of F32 needs 24 bytes but data_offsets [0, 20] hold 20");
        refused(safetensors("{" + entry("w", "F32", "[2147483647,2147483647,2147483647]", 0, 4) + "}", 4),
                "tensor 'w': shape [2147483647, 2147483647, 2147483647] has more elements than a long can count");
        refused(safetensors("{" + entry("w", "F64", "[2147483647,2147483647,2]", 0, 4) + "}", 4), "needs more bytes than a long can count");
    }

    @Test
    void refusesOverlapsHolesAndTrailingBytes() throws IOException {
        refused(safetensors("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", 12),
                "tensor 'b' at [4, 12) overlaps tensor 'a' at [0, 8)");
        refused(safetensors("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", 12),
                "bytes [4, 8) before tensor 'b' belong to no tensor (a hole");
        refused(safetensors("{" + entry("a", "F32", "[1]", 4, 8) + "}", 8), "bytes [0, 4) before tensor 'a'");
        refused(safetensors("{" + entry("a", "F32", "[1]", 0, 4) + "}", 10), "the data section has 10 bytes but the tensors cover only 4");
    }

    @Test
    void truncatedFilesAreRefused() throws IOException {
        byte[] good = safetensors("{" + entry("a", "F32", "[4]", 0, 16) + "}", 16);
        refused(Arrays.copyOf(good, good.length - 3), "tensor 'a': data_offsets [0, 16] go past the end of the data section (13 bytes)");
        refused(Arrays.copyOf(good, 20), "header length", "exceeds the file size");
    }

    @Test
    void aHugeNumberIsRefusedWithAShortMessage() throws IOException {
        String number = "1".repeat(5_000_000);
        byte[] b = safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + number + "],\"data_offsets\":[0,4]}}", 4);
        Path f = file(b);
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensorsHeader.read(f));
        assertEquals("model.safetensors: header is not valid JSON: number longer than 100 characters at character 29", e.getMessage());
    }

    @Test
    void messagesQuoteAtMostAnExcerptOfLongNamesAndValues() throws IOException {
        String name = "n".repeat(2_000_000);
        for (byte[] b : List.of(safetensors("{" + entry(name, "F33", "[1]", 0, 4) + "}", 4),
                safetensors("{" + entry("w", "F" + name, "[1]", 0, 4) + "}", 4),
                safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"" + name + "\"],\"data_offsets\":[0,4]}}", 4),
                safetensors("{" + entry("w", "F32", "[" + "1,".repeat(4000) + "2]", 0, 4) + "}", 4),
                safetensors("{\"__metadata__\":{\"" + name + "\":1}}", 0))) {
            Path f = file(b);
            SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensorsHeader.read(f));
            assertTrue(e.getMessage().length() < 300, e.getMessage().length() + " chars");
            assertTrue(e.getMessage().contains("...(") && e.getMessage().contains(" chars)"), e.getMessage());
        }
    }
}
