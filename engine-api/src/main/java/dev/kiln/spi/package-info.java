/**
 * The service-provider interface for backend authors. A backend jar lists a
 * {@link dev.kiln.spi.BackendProvider} in {@code META-INF/services}; constructing it touches no
 * native code, and {@link dev.kiln.spi.BackendProvider#probe()} starts the
 * {@link dev.kiln.spi.Backend} or explains in a {@link dev.kiln.spi.ProbeResult} why it cannot.
 *
 * <p>A backend supplies about forty primitives over contiguous {@link dev.kiln.spi.Storage}s,
 * each described by a validated parameter record ({@link dev.kiln.spi.Conv2dSpec},
 * {@link dev.kiln.spi.Pool2dSpec}, {@link dev.kiln.spi.MatmulSpec}, ...) whose constructor has
 * already checked the geometry. Views, broadcasting rules, shape checks, autograd and composite
 * ops live in engine-api, so a backend checks nothing twice. {@link dev.kiln.spi.ReleasingStorage}
 * gives storages the close-once lifecycle with a cleaner as safety net, and
 * {@link dev.kiln.spi.Philox} makes random masks identical on every backend.
 */
package dev.kiln.spi;
