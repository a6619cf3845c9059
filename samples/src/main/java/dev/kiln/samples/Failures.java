package dev.kiln.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * One-line descriptions of the errors that end a command: what a user reads instead of a stack
 * trace (which {@code --verbose} adds).
 */
final class Failures {
    private static final int MAX_LENGTH = 600;

    private Failures() {}

    /**
     * The error in one line: its message (with the exception's type where the message alone would not say what went
     * wrong, e.g. a {@code NullPointerException}), then its cause's when that adds something; line breaks become
     * "; " and the whole is cut at a few hundred characters.
     */
    static String describe(Throwable t) {
        t = unwrap(t);
        String text = own(t);
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            String more = own(unwrap(c));
            if (!text.contains(more) && !more.contains(text)) {
                text += " (cause: " + more + ")";
                break;
            }
        }
        text = text.strip().replaceAll("\\s*\\R\\s*", "; ");
        return shorten(text, MAX_LENGTH);
    }

    /**
     * {@code text} cut to its first {@code max} characters, with "..." when something was cut: the one
     * shortening of the samples, for values and messages of any length quoted in an error.
     */
    static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }

    /** Strips the wrappers of work done on another thread or by reflection. */
    private static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException || t instanceof InvocationTargetException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The exception's own description, without its cause. */
    private static String own(Throwable t) {
        String m = t.getMessage();
        if (t instanceof FileSystemException f && f.getReason() == null) { // the message is the bare path
            String what = switch (f) {
                case NoSuchFileException _ -> "no such file or folder";
                case AccessDeniedException _ -> "permission denied";
                case NotDirectoryException _ -> "not a folder";
                default -> t.getClass().getSimpleName();
            };
            return what + ": " + m;
        }
        boolean plain = t instanceof IOException || t instanceof UncheckedIOException || t instanceof IllegalArgumentException
                || t instanceof IllegalStateException || t instanceof ArithmeticException;
        if (m == null || m.isBlank()) return t.getClass().getSimpleName();
        return plain ? m : t.getClass().getSimpleName() + ": " + m;
    }
}
