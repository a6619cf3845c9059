package dev.kiln.testing;

import java.util.ArrayList;
import java.util.List;

/** Every op sample of the suite, family by family. */
public final class OpCases {
    private OpCases() {}

    /** All samples, in a fixed order. */
    public static List<OpCase> all() {
        List<OpCase> all = new ArrayList<>();
        all.addAll(ConvCases.all());
        all.addAll(PoolCases.all());
        all.addAll(LinearCases.all());
        all.addAll(ShapingCases.all());
        all.addAll(SlicingCases.all());
        all.addAll(JoiningCases.all());
        all.addAll(ElementwiseCases.all());
        all.addAll(ReductionCases.all());
        all.addAll(SoftmaxLossCases.all());
        all.addAll(NormCases.all());
        all.addAll(LargeCases.all());
        all.addAll(LayerNormCases.all()); // issue 11: layer norm, RMS norm, conv1d
        // ---- attention (issue 11) ----
        all.addAll(AttentionCases.all());
        // ---- batched matmul and value/index reductions (issue 11) ----
        all.addAll(BatchedMatmulCases.all());
        all.addAll(SelectionCases.all());
        // ---- masks and dtypes (issue 11) ----
        all.addAll(MaskCases.all());
        // ---- data and training (issue 11) ----
        all.addAll(CrossEntropyCases.all());
        all.addAll(RecurrentCases.all()); // recurrent (issue 11)
        all.addAll(IndexingCases.all());  // issue 11
        return all;
    }
}
