package dev.kiln.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes a resumable checkpoint ({@link Trainer#save}) after every epoch, replacing the previous
 * one atomically, so an interrupted run loses at most the epoch in progress.
 */
public final class EpochCheckpoint implements TrainingListener {
    private final Path file;

    /**
     * Checkpoints to {@code file} (and its optimizer file, see {@link dev.kiln.io.Checkpoint}); parent folders are created.
     *
     * @param file the checkpoint's weights file
     */
    public EpochCheckpoint(Path file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /** {@return the checkpoint file} */
    public Path file() {
        return file;
    }

    /** @throws UncheckedIOException if the checkpoint cannot be written (training stops) */
    @Override
    public void onEpochEnd(Trainer trainer, EpochResult result) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            trainer.save(file);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint after epoch " + (result.epoch() + 1) + " to " + file + " failed: " + e.getMessage(), e);
        }
    }
}
