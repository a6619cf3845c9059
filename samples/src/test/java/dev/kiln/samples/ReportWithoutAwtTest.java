package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * The samples on a runtime without {@code java.desktop} (the GPU kit's jlinked JRE): Report's
 * file names and percent format load and run with AWT and ImageIO unavailable; only drawing a
 * report needs them. A class loader that defines the samples' classes itself and refuses
 * {@code java.awt.*} and {@code javax.imageio.*} stands in for that runtime.
 */
class ReportWithoutAwtTest {

    /** Defines {@code dev.kiln.samples} classes from this module's class files; AWT and ImageIO "do not exist". */
    private static final class NoAwtLoader extends ClassLoader {
        NoAwtLoader() {
            super(ReportWithoutAwtTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("java.awt.") || name.startsWith("javax.imageio.")) {
                throw new ClassNotFoundException(name + " (no java.desktop in this runtime)");
            }
            if (!name.startsWith("dev.kiln.samples.")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c != null) return c;
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    if (in == null) throw new ClassNotFoundException(name);
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }

    /** Runs in the loader's world: what a sample's run does with Report before any drawing. */
    public static final class Probe implements java.util.function.Supplier<String> {
        /** For reflection. */
        public Probe() {}

        @Override
        public String get() {
            return Report.percent(0.985) + " " + String.join(",", Report.FILES);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void fileNamesAndPercentNeedNoAwt() throws Exception {
        Class<?> probe = Class.forName(Probe.class.getName(), true, new NoAwtLoader());
        var s = (java.util.function.Supplier<String>) probe.getDeclaredConstructor().newInstance();
        assertEquals("98.50% " + String.join(",", Report.FILES), s.get());
    }

    /** The loader does hide AWT: the drawing class fails to initialise under it (so the test above can fail). */
    @Test
    void theDrawingNeedsAwt() {
        assertThrows(NoClassDefFoundError.class, () -> Class.forName("dev.kiln.samples.Report$Pictures", true, new NoAwtLoader()));
    }
}
