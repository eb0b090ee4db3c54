package dev.cascade.service;

import dev.cascade.live.LiveTable;
import java.time.Duration;
import java.util.Objects;

/** A {@link LiveTable} that must have read its topic up to the current end before processing starts. */
public final class LiveTablePrerequisite implements Prerequisite {
    private final LiveTable<?> table;
    private final String what;
    private final Duration timeout;

    /**
     * @param what    what the table holds, for error messages ("routing policies")
     * @param timeout how long to wait for the table to catch up
     */
    public LiveTablePrerequisite(LiveTable<?> table, String what, Duration timeout) {
        this.table = Objects.requireNonNull(table, "table");
        this.what = Objects.requireNonNull(what, "what");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public void start() throws InterruptedException {
        table.start();
        if (!table.awaitCaughtUp(timeout)) {
            throw new IllegalStateException(what + " not loaded within " + timeout);
        }
        if (table.failure() != null) {
            throw new IllegalStateException("cannot read " + what, table.failure());
        }
    }

    @Override
    public Throwable failure() {
        return table.failure();
    }

    @Override
    public void close() {
        table.close();
    }
}
