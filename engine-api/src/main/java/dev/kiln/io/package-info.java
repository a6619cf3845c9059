/**
 * Reading and writing tensors and checkpoints in the safetensors format (the one PyTorch,
 * JAX and Hugging Face share). {@link dev.kiln.io.SafeTensors} reads and writes files of named
 * tensors, validating the header ({@link dev.kiln.io.SafeTensorsHeader}) before trusting any
 * offset and refusing damaged files with a {@link dev.kiln.io.SafeTensorsFormatException};
 * loading into a model reports missing, unexpected and mismatched keys as a
 * {@link dev.kiln.io.LoadResult}. {@link dev.kiln.io.Checkpoint} adds the optimizer state and
 * the training position ({@link dev.kiln.io.TrainingState}) so a run resumes exactly.
 */
package dev.kiln.io;
