package dev.kiln.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-made safetensors bytes for tests. */
final class Files8 {
    private Files8() {}

    /** u64 LE length of {@code json}, the JSON bytes, then {@code data} zero bytes. */
    static byte[] safetensors(String json, int data) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + j.length + data).order(ByteOrder.LITTLE_ENDIAN).putLong(j.length).put(j).array();
    }

    /** A header entry. */
    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }
}
