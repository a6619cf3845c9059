package dev.kiln.nn.lora;

import java.util.List;

/**
 * The metadata of an adapter file written by {@link Lora#saveAdapters}: what the adapters are and
 * which base they were trained on.
 *
 * @param base       the caller's description of the base (e.g. the checkpoint's file name)
 * @param baseSha256 {@link Lora#baseFingerprint} of the base weights the adapters were trained on
 * @param rank       the adapters' rank
 * @param alpha      their alpha
 * @param dropout    their dropout probability during training
 * @param paths      the adapted layers' dotted paths, in module order
 */
public record AdapterInfo(String base, String baseSha256, int rank, double alpha, float dropout, List<String> paths) {
    /** Keeps an unmodifiable copy. */
    public AdapterInfo {
        paths = List.copyOf(paths);
    }

    /**
     * {@return a configuration that adapts exactly these layers with these settings, to rebuild the
     * adapted model before {@link Lora#loadAdapters}} The initial values it draws are overwritten by the load.
     */
    public LoraConfig config() {
        return new LoraConfig(rank, alpha, dropout, paths, 0);
    }
}
