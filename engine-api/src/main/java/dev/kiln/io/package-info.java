/**
 * Reading and writing tensors and checkpoints in the safetensors format (the one PyTorch,
 * JAX and Hugging Face share). {@link dev.kiln.io.SafeTensors} reads and writes files of named
 * tensors, validating the header ({@link dev.kiln.io.SafeTensorsHeader}) before trusting any
 * offset and refusing damaged files with a {@link dev.kiln.io.SafeTensorsFormatException};
 * loading into a model reports missing, unexpected and mismatched keys as a
 * {@link dev.kiln.io.LoadResult}. {@link dev.kiln.io.Checkpoint} adds the optimizer state and
 * the training position ({@link dev.kiln.io.TrainingState}) so a run resumes exactly.
 *
 * <p>Weights from one model into another, exactly or, for a model with a new head, partially:
 * {@snippet class=dev.kiln.snippets.WeightsSnippetsTest region=weights}
 * Resuming a training run is {@link dev.kiln.train.Trainer#save} and
 * {@link dev.kiln.train.Trainer#resume}, which use {@link dev.kiln.io.Checkpoint}.
 */
package dev.kiln.io;
