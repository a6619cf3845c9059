/**
 * The training loop. {@link dev.kiln.train.Trainer} runs epochs of forward, loss, backward,
 * optional clipping, optimizer step and schedule step, evaluates after each epoch
 * ({@link dev.kiln.train.Evaluator}, {@link dev.kiln.train.Evaluation}), and saves and resumes
 * its full position. {@link dev.kiln.train.TrainingListener}s observe every step and epoch
 * ({@link dev.kiln.train.StepResult}, {@link dev.kiln.train.EpochResult}): progress output
 * ({@link dev.kiln.train.Progress}) and per-epoch checkpoints
 * ({@link dev.kiln.train.EpochCheckpoint}) are listeners.
 */
package dev.kiln.train;
