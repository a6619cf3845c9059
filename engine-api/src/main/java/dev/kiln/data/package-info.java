/**
 * Data sets and batching. A {@link dev.kiln.data.Dataset} is a random-access list of labelled
 * samples ({@link dev.kiln.data.ImageDataset} for 8-bit images, read from IDX files by
 * {@link dev.kiln.data.IdxReader}; {@link dev.kiln.data.Mnist} for MNIST-style folders). A
 * {@link dev.kiln.data.DataLoader} turns one into {@link dev.kiln.data.Epoch}s of
 * {@link dev.kiln.data.Batch}es (image and label tensors on a backend), shuffled, shifted and
 * normalised deterministically from a seed and the epoch index, and prepared ahead on a
 * background thread. {@link dev.kiln.data.HostBatch} is the same batch as Java arrays.
 */
package dev.kiln.data;
