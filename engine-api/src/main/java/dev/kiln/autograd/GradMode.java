package dev.kiln.autograd;

/** Whether operations on this thread record the autograd graph. */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    /** {@return true when recording is on for this thread (the default)} */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /**
     * Turns recording off until the returned handle is closed; nests correctly.
     *
     * @return a handle that restores the previous state when closed
     */
    public static Restore disable() {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = false;
        return new Restore(flag, previous);
    }

    /**
     * Closing restores the previous state.
     *
     * @param flag this thread's grad-mode cell
     * @param previous the state to restore
     */
    public record Restore(boolean[] flag, boolean previous) implements AutoCloseable {
        @Override
        public void close() {
            flag[0] = previous;
        }
    }
}
