package dev.kiln.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.spi.Backend;
import dev.kiln.testing.HostOnlyBackend;
import org.junit.jupiter.api.Test;

/** unscope() takes a tensor from the innermost scope holding it and looks no further. */
class ScopeForgetTest {
    private final Backend backend = HostOnlyBackend.create();

    @Test
    void unscopeStopsAtTheInnermostScopeHoldingTheTensor() {
        try (Scope outer = Scope.open()) {
            Tensor t = Tensor.full(backend, 1f, 2);
            try (Scope inner = Scope.open()) {
                // never the case through the public API (a tensor has one owner), which is why the search may stop
                // at the first hit: registering twice makes visible where it stops
                inner.register(t);
                t.unscope();
                assertEquals(0, inner.size(), "removed from the innermost scope");
                assertEquals(1, outer.size(), "the search ended there: the outer scope was not scanned");
            }
        }
    }

    @Test
    void unscopeFindsATensorOfAnOuterScope() {
        try (Scope outer = Scope.open()) {
            Tensor t = Tensor.full(backend, 1f, 2);
            try (Scope inner = Scope.open()) {
                Tensor.full(backend, 2f, 2);
                t.unscope();
                assertEquals(1, inner.size());
                assertEquals(0, outer.size());
            }
            t.close();
        }
    }
}
