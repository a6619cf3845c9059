package dev.kiln.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /** Makes a FIFO at {@code path} with the {@code mkfifo} command; null where there is none (e.g. Windows). */
    static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        return p.waitFor() == 0 && isOther(path) ? path : null;
    }

    /** True when {@code path} is neither a regular file, a directory nor a symbolic link (a FIFO, device or socket). */
    static boolean isOther(Path path) throws IOException {
        return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther();
    }
}
