/**
 * Engine internals shared between the packages of engine-api: tensor storage access and storage
 * pinning for op implementations, wrapping freshly allocated storage, recording autograd nodes.
 *
 * <p>Not part of the API: this package is not exported by the engine-api module, may change in
 * any release, and backends ({@code engine-cpu}, {@code engine-cuda}) do not need it (they only
 * see {@link dev.kiln.spi.Storage}s through the {@link dev.kiln.spi.Backend} SPI).
 */
package dev.kiln.internal;
