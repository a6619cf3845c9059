package dev.kiln.text;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The small slice of the fortune corpora committed under src/test/resources (a data directory layout). */
final class TestCorpus {
    private TestCorpus() {}

    /** {@return the test data directory, holding fortunes/en and fortunes/zh} */
    static Path dataDir() {
        try {
            return Path.of(TestCorpus.class.getResource("/dev/kiln/text/data").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
