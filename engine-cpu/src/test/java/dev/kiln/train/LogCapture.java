package dev.kiln.train;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the {@code System.Logger} of one name logs while open. The JDK's default
 * {@code System.Logger} backend is java.util.logging, so the records arrive at the JUL logger of
 * the same name; every level is enabled and nothing reaches the console.
 */
final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger; // held: JUL keeps loggers only weakly
    private final Level level;
    private final boolean parents;
    private final List<LogRecord> records = new ArrayList<>();

    LogCapture(String name) {
        logger = Logger.getLogger(name);
        level = logger.getLevel();
        parents = logger.getUseParentHandlers();
        logger.setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    /** The messages logged at {@code level}. */
    synchronized List<String> messages(Level level) {
        return records.stream().filter(r -> r.getLevel() == level).map(LogRecord::getMessage).toList();
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parents);
        logger.setLevel(level);
    }
}
