package dev.kiln.samples;

import dev.kiln.Kiln;
import dev.kiln.spi.ProbeResult;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kiln doctor}: what Kiln sees on this machine — the JDK, whether the Vector API
 * module is present, every backend with its probe result and what its provider found (for CUDA
 * the sonames tried and loaded, driver, cuBLAS and cuDNN versions), and which one would be chosen.
 */
public final class Doctor {
    private Doctor() {}

    public static void main(String[] args) {
        System.out.println("java:       " + System.getProperty("java.vm.name") + " " + Runtime.version()
                + " (" + System.getProperty("java.home") + ")");
        System.out.println("cpu:        " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("os.arch") + ", " + System.getProperty("os.name"));
        boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        System.out.println("vector api: " + (vector ? "present (jdk.incubator.vector)" : "absent (scalar kernels; add --add-modules jdk.incubator.vector)"));
        Map<String, List<String>> diagnostics = Kiln.diagnostics();
        for (ProbeResult r : Kiln.backends()) {
            System.out.println("backend:    " + r);
            // what the provider found: for CUDA, each soname tried and loaded and the versions
            for (String line : diagnostics.getOrDefault(r.name(), List.of())) System.out.println("            " + line);
        }
        try {
            System.out.println("chosen:     " + Kiln.backend().name());
        } catch (IllegalStateException e) {
            System.out.println("chosen:     none: " + e.getMessage());
        }
    }
}
