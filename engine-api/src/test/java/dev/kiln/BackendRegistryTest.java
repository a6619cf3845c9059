package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.spi.BackendProvider;
import dev.kiln.spi.ProbeResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What engine-api says when no backend can be used: which dependency to add. */
class BackendRegistryTest {

    @Test
    void withNothingOnTheClassPathTheMessageNamesBothBackendArtifacts() {
        String m = BackendRegistry.noBackendMessage(List.of(), false);
        assertTrue(m.startsWith("no Kiln backend is available: none is on the class path"), m);
        assertTrue(m.contains("add the dependency dev.kiln:engine-cpu"), m);
        assertTrue(m.contains("for NVIDIA GPUs, dev.kiln:engine-cuda"), m);
    }

    @Test
    void onTheModulePathTheMessageSaysModulePath() {
        String m = BackendRegistry.noBackendMessage(List.of(), true);
        assertTrue(m.startsWith("no Kiln backend is available: none is on the module path;"), m);
        assertFalse(m.contains("class path"), m);
        assertTrue(m.contains("add the dependency dev.kiln:engine-cpu"), m);
    }

    @Test
    void theMessageNamesThePathThisJvmLoadedEngineApiFrom() {
        // Surefire runs these tests on the class path unless module-path support puts dev.kiln in a named module.
        String expected = BackendRegistry.class.getModule().getName() == null ? "class path" : "module path";
        assertTrue(BackendRegistry.noBackendMessage(List.of()).contains("none is on the " + expected), BackendRegistry.noBackendMessage(List.of()));
    }

    @Test
    void withOnlyAnUnusableCudaBackendTheMessageGivesItsReasonAndAsksForTheCpuOne() {
        String m = BackendRegistry.noBackendMessage(List.of(ProbeResult.unavailable("cuda", "libcuda.so.1 not found")));
        assertTrue(m.contains("cuda unavailable: libcuda.so.1 not found"), m);
        assertTrue(m.contains("add the dependency dev.kiln:engine-cpu"), m);
        assertFalse(m.contains("engine-cuda"), m);
    }

    @Test
    void anUnusableCpuBackendNeedsNoDependencyHint() {
        String m = BackendRegistry.noBackendMessage(List.of(ProbeResult.unavailable("cpu", "broken")));
        assertEquals("no Kiln backend is available; cpu unavailable: broken", m);
    }

    @Test
    void engineApiAloneFailsWithTheCoordinatesToAdd() {
        BackendRegistry registry = new BackendRegistry();
        assumeTrue(registry.probeAll().isEmpty(), "a backend is on engine-api's test class path");
        assertTrue(registry.find("cuda").reason().contains("add the dependency dev.kiln:engine-cuda"), registry.find("cuda").reason());
        assertTrue(registry.find("CPU").reason().contains("add the dependency dev.kiln:engine-cpu"), registry.find("cpu").reason());
        String unknown = registry.find("tpu").reason();
        assertTrue(unknown.contains("dev.kiln:engine-cpu and dev.kiln:engine-cuda"), unknown);
        assumeTrue(System.getenv("KILN_BACKEND") == null && System.getProperty("kiln.backend") == null, "a backend is requested");
        IllegalStateException e = assertThrows(IllegalStateException.class, registry::defaultBackend);
        assertTrue(e.getMessage().contains("dev.kiln:engine-cpu"), e.getMessage());
        assertEquals(Map.of(), registry.diagnostics());
    }

    @Test
    void anUnknownNameIsQuotedShortAndOnOneLine() {
        String name = "tpu\nx" + "y".repeat(5000);
        String reason = new BackendRegistry().find(name).reason();
        assertFalse(reason.contains("\n"), "one line: " + reason);
        assertTrue(reason.contains("no backend named 'tpu\\u000axyyy"), reason);
        assertTrue(reason.contains("...(5005 chars)"), "says how long the name was: " + reason);
        assertTrue(reason.length() < 400, reason);
    }

    @Test
    void aProviderReportsNoDiagnosticsUnlessItHasSome() {
        BackendProvider quiet = new BackendProvider() {
            @Override
            public String name() {
                return "quiet";
            }

            @Override
            public int rank() {
                return 0;
            }

            @Override
            public ProbeResult probe() {
                return ProbeResult.unavailable("quiet", "never");
            }
        };
        assertEquals(List.of(), quiet.diagnostics());
    }
}
