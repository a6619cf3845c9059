package dev.kiln.nn.gpt;

import dev.kiln.nn.Module;
import dev.kiln.tensor.Tensor;

/** nanoGPT's {@code h} ({@code nn.ModuleList}): the blocks, children {@code 0}, {@code 1}, ..., run in order. */
final class GptBlocks extends Module {
    GptBlocks(GptBlock... blocks) {
        for (int i = 0; i < blocks.length; i++) registerModule(Integer.toString(i), blocks[i]);
    }

    /** Every block in order, no cache. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** Every block in order, block i reading and extending layer i of {@code cache} when given. */
    Tensor forward(Tensor x, KvCache cache) {
        int layer = 0;
        for (Module m : namedChildren().values()) {
            int l = layer++;
            x = m instanceof GptBlock b ? call(b, x, (blk, in) -> blk.forward(in, cache, l)) : call(m, x);
        }
        return x;
    }
}
