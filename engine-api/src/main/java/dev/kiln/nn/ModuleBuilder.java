package dev.kiln.nn;

import dev.kiln.Kiln;
import dev.kiln.spi.Backend;
import dev.kiln.tensor.Generator;
import java.util.Objects;

/**
 * What the layer builders share: the random stream of the initial weights (and of dropout masks)
 * and the backend the parameters live on, each defaulting to Kiln's when not set.
 *
 * @param <B> the concrete builder, which the setters return for chaining
 */
public abstract class ModuleBuilder<B extends ModuleBuilder<B>> {
    private Generator generator;
    private Backend backend;

    /** For the builders of this package. */
    ModuleBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * Source of the initial weights and of the dropout masks.
     *
     * @param generator the random stream (default {@link Kiln#generator()})
     * @return this builder
     */
    public B generator(Generator generator) {
        this.generator = Objects.requireNonNull(generator, "generator");
        return self();
    }

    /**
     * Where the parameters live.
     *
     * @param backend the backend (default {@link Kiln#backend()})
     * @return this builder
     */
    public B backend(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        return self();
    }

    /** {@return the generator set, else {@link Kiln#generator()}} */
    final Generator generatorOrDefault() {
        return generator != null ? generator : Kiln.generator();
    }

    /** {@return the backend set, else {@link Kiln#backend()}} */
    final Backend backendOrDefault() {
        return backend != null ? backend : Kiln.backend();
    }
}
