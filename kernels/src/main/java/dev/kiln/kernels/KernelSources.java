package dev.kiln.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CUDA sources of {@code kiln.fatbin} as shipped in this jar under {@value #RESOURCE_DIR}, for
 * compiling them at run time with NVRTC where the fatbin does not load: the translation unit
 * {@value #MAIN} and every file it reaches through {@code #include "name"} (transitively), keyed
 * by that exact name, as {@code nvrtcCreateProgram}'s {@code headers}/{@code includeNames} expect.
 * Angle-bracket includes are the compiler's business (the sources avoid them under NVRTC).
 *
 * @param mainName the translation unit's name ({@value #MAIN})
 * @param main     its text
 * @param headers  every included file's text by include name, in the order first included
 */
public record KernelSources(String mainName, String main, Map<String, String> headers) {
    /** Classpath folder of the sources. */
    public static final String RESOURCE_DIR = "/dev/kiln/kernels/src/";
    /** The translation unit that includes every kernel file (the one nvcc compiles too). */
    public static final String MAIN = "kiln.cu";

    private static final Pattern QUOTED_INCLUDE = Pattern.compile("(?m)^\\s*#\\s*include\\s+\"([^\"]+)\"");

    /** Copies {@code headers}, keeping their order. */
    public KernelSources {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /**
     * The sources in this jar, or empty when {@value #MAIN} is not on the classpath.
     *
     * @return the sources, or empty when this jar carries none
     * @throws IllegalStateException if a file named by an {@code #include "..."} is missing
     * @throws UncheckedIOException  if a resource cannot be read
     */
    public static Optional<KernelSources> load() {
        return read(KernelSources::resource);
    }

    /** The sources as {@code files} (name to text, empty when absent) provides them; see {@link #load()}. */
    static Optional<KernelSources> read(Function<String, Optional<String>> files) {
        Optional<String> main = files.apply(MAIN);
        if (main.isEmpty()) return Optional.empty();
        Map<String, String> headers = new LinkedHashMap<>();
        Deque<String[]> pending = new ArrayDeque<>();
        for (String name : quotedIncludes(main.get())) pending.add(new String[] {name, MAIN});
        while (!pending.isEmpty()) {
            String[] next = pending.poll();
            String name = next[0];
            if (headers.containsKey(name) || name.equals(MAIN)) continue;
            if (name.contains("..") || name.startsWith("/")) {
                throw new IllegalStateException("kernels: " + next[1] + " includes \"" + name + "\", outside " + RESOURCE_DIR);
            }
            String text = files.apply(name).orElseThrow(() -> new IllegalStateException("kernels: " + next[1]
                    + " includes \"" + name + "\" but " + RESOURCE_DIR + name + " is not in the kernels jar"));
            headers.put(name, text);
            for (String inner : quotedIncludes(text)) pending.add(new String[] {inner, name});
        }
        return Optional.of(new KernelSources(MAIN, main.get(), headers));
    }

    /** The names in {@code #include "name"} lines of {@code text}, in order. */
    static List<String> quotedIncludes(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = QUOTED_INCLUDE.matcher(text);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /**
     * Hex SHA-256 over every file's name and text: what a cache of compiled code is keyed by.
     *
     * @return 64 lower-case hex digits
     */
    public String sha256() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            update(d, mainName, main);
            for (Map.Entry<String, String> h : headers.entrySet()) update(d, h.getKey(), h.getValue());
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void update(MessageDigest d, String name, String text) {
        for (String part : new String[] {name, text}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            d.update(ByteBuffer.allocate(4).putInt(bytes.length).array()); // length-prefixed: no two file sets collide
            d.update(bytes);
        }
    }

    private static Optional<String> resource(String name) {
        try (InputStream in = KernelSources.class.getResourceAsStream(RESOURCE_DIR + name)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("kernels: cannot read " + RESOURCE_DIR + name, e);
        }
    }
}
