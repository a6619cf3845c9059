package dev.kiln.io;

import dev.kiln.internal.Excerpt;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The names of a checkpoint's files and the removal of those a crashed or superseded save left
 * behind. Only names of the exact forms Kiln writes beside {@code NAME.safetensors} are ever
 * removed: {@code NAME.optim.<save id>.safetensors}, the older {@code NAME.optim.safetensors},
 * and the temporary files of the weights' atomic write.
 */
final class CheckpointFiles {
    private static final String SUFFIX = ".safetensors";
    private static final Pattern SAVE_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private CheckpointFiles() {}

    /** {@code NAME} of {@code NAME.safetensors}, or the whole name for another suffix. */
    static String stem(String weightsName) {
        return weightsName.endsWith(SUFFIX) ? weightsName.substring(0, weightsName.length() - SUFFIX.length()) : weightsName;
    }

    /** The optimizer file name of one save: {@code NAME.optim.<saveId>.safetensors}. */
    static String optimizerName(String weightsName, String saveId) {
        return stem(weightsName) + ".optim." + saveId + SUFFIX;
    }

    /** True for a save id as {@link #optimizerName} embeds it (a random UUID's text). */
    static boolean isSaveId(String s) {
        return SAVE_ID.matcher(s).matches();
    }

    /** True when {@code name} is an optimizer file name Kiln writes (or wrote before save ids were in names) for {@code weightsName}. */
    static boolean isOptimizerFileOf(String weightsName, String name) {
        String prefix = stem(weightsName) + ".optim";
        if (name.equals(prefix + SUFFIX)) return true;
        if (!name.startsWith(prefix + ".") || !name.endsWith(SUFFIX)) return false;
        int from = prefix.length() + 1, to = name.length() - SUFFIX.length();
        return from < to && isSaveId(name.substring(from, to));
    }

    /**
     * Checks that a file name read from a checkpoint's metadata is a plain name in the
     * checkpoint's own folder: not empty, no separator, not "." or "..", no NUL, at most 255
     * characters; the metadata is data from the file, and must not send a load to
     * {@code ../../etc/passwd}.
     *
     * @throws SafeTensorsFormatException naming {@code file} and the key otherwise
     */
    static String plainName(String file, String key, String name) throws SafeTensorsFormatException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0
                || name.indexOf('\0') >= 0 || name.length() > 255) {
            throw new SafeTensorsFormatException(file + ": metadata " + key + " = \"" + Excerpt.of(name)
                    + "\" is not a plain file name in the checkpoint's folder");
        }
        return name;
    }

    /**
     * Deletes, beside {@code weights}, the temporary files of its atomic write and, when
     * {@code optimizerFilesToo}, every optimizer file of it except {@code keep} (may be null).
     * Best effort: a file that cannot be deleted (or listed) stays, for the next save to retry.
     *
     * @return the names deleted
     */
    static List<String> removeLeftovers(Path weights, String keep, boolean optimizerFilesToo) {
        String name = weights.getFileName().toString();
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(weights.getParent())) {
            for (Path p : dir) {
                String n = p.getFileName().toString();
                boolean leftover = AtomicFile.isTempFileOf(name, n)
                        || (optimizerFilesToo && !n.equals(keep) && isOptimizerFileOf(name, n));
                if (!leftover || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) continue;
                try {
                    if (Files.deleteIfExists(p)) removed.add(n);
                } catch (IOException e) {
                    // stays for the next save to retry; the save itself has succeeded or not regardless
                }
            }
        } catch (IOException e) {
            // the folder cannot be listed: nothing to clean that we could name
        }
        return removed;
    }
}
