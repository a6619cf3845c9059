package dev.kiln.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What engine-cuda publishes: one exported package, holding only the types users touch. */
class ModuleSurfaceTest {

    /** engine-cuda's compiled main classes (target/classes), found through a class in them. */
    private static Path classes() throws URISyntaxException {
        return Path.of(CudaBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void onlyTheBackendPackageIsExported() throws IOException, URISyntaxException {
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(classes().resolve("module-info.class"))) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("dev.kiln.cuda", d.name());
        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor.Exports e : d.exports()) exported.add(e.source() + (e.isQualified() ? " to " + e.targets() : ""));
        assertEquals(Set.of("dev.kiln.cuda"), exported);
    }

    @Test
    void theExportedPackageHasOnlyUserFacingPublicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Set<String> publicTypes = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes().resolve("dev/kiln/cuda"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$") || name.equals("package-info.class")) continue;
                String simple = name.substring(0, name.length() - ".class".length());
                if (Modifier.isPublic(Class.forName("dev.kiln.cuda." + simple).getModifiers())) publicTypes.add(simple);
            }
        }
        assertEquals(new TreeSet<>(Set.of("CudaBackend", "CudaBackendProvider", "CudaException", "CudaMemoryStats",
                "CudaOptions", "CudaOutOfMemoryException")), publicTypes);
    }
}
