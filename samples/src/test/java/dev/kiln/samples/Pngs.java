package dev.kiln.samples;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Hand-built PNG files for tests: any declared size, whatever the data holds. */
final class Pngs {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private Pngs() {}

    /**
     * A PNG whose IHDR declares {@code width x height} 8-bit grey pixels but whose IDAT holds
     * only {@code rows} scanlines of zeros (a decompression bomb when the size is huge).
     */
    static byte[] grey(int width, int height, int rows) throws IOException {
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(ihdr)) {
            d.writeInt(width);
            d.writeInt(height);
            d.write(new byte[] {8, 0, 0, 0, 0}); // bit depth 8, colour type grey, deflate, filter 0, no interlace
        }
        byte[] raw = new byte[(int) Math.min(1 << 20, (long) rows * (width + 1))]; // filter byte 0 + zero pixels per row
        Deflater deflater = new Deflater(9);
        deflater.setInput(raw);
        deflater.finish();
        byte[] buf = new byte[raw.length + 64];
        int n = deflater.deflate(buf);
        deflater.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(SIGNATURE);
        chunk(out, "IHDR", ihdr.toByteArray(), ihdr.size());
        chunk(out, "IDAT", buf, n);
        chunk(out, "IEND", new byte[0], 0);
        return out.toByteArray();
    }

    /** Writes length, type, data and the CRC-32 of type and data. */
    private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int length) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data, 0, length);
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(length);
        d.write(t);
        d.write(data, 0, length);
        d.writeInt((int) crc.getValue());
        d.flush();
    }
}
