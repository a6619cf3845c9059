package dev.kiln.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgsTest {
    private Args args() {
        return new Args("demo", "A demo.").option("epochs", "5", "epochs").option("lr", "0.001", "rate")
                .option("out", null, "output").flag("fast", "go fast");
    }

    @Test
    void readsValuesDefaultsAndFlags() throws Exception {
        Args a = args().parse(new String[] {"--epochs", "3", "--out=x/y.json", "--fast"});
        assertEquals(3, a.integer("epochs", 0));
        assertEquals(0.001, a.positive("lr"));
        assertEquals(Path.of("x/y.json"), a.path("out"));
        assertTrue(a.has("fast"));
        assertFalse(a.has("lr"));
        Args none = args().parse(new String[0]);
        assertNull(none.path("out"));
        assertTrue(none.usage().contains("--epochs VALUE  epochs (default 5)"), none.usage());
    }

    @Test
    void badCommandLinesAreExplained() {
        assertMessage("unknown option --epoch", "--epoch", "3");
        assertMessage("--epochs needs a value", "--epochs");
        assertMessage("--fast takes no value", "--fast=1");
        assertMessage("unexpected argument 'x.png'", "x.png");
        var e = assertThrows(Args.UsageException.class, () -> args().parse(new String[] {"--epochs", "three"}).integer("epochs", 0));
        assertTrue(e.getMessage().contains("--epochs must be an integer, got 'three'"), e.getMessage());
        e = assertThrows(Args.UsageException.class, () -> args().parse(new String[] {"--lr", "-1"}).positive("lr"));
        assertTrue(e.getMessage().contains("--lr must be a positive number, got -1"), e.getMessage());
    }

    @Test
    void positionalsWhenDeclared() throws Exception {
        Args a = args().positional().parse(new String[] {"a.png", "--epochs", "2", "b.png"});
        assertEquals(List.of("a.png", "b.png"), a.positionals());
    }

    private void assertMessage(String fragment, String... argv) {
        var e = assertThrows(Args.UsageException.class, () -> args().parse(argv));
        assertTrue(e.getMessage().startsWith("demo: " + fragment), e.getMessage());
        assertTrue(e.getMessage().contains("usage: ./kiln demo"), e.getMessage());
    }
}
