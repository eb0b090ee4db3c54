package dev.cascade.live;

/** A settings record that is refused; the message is the reason reported on the status topic. */
public final class InvalidRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String reason) {
        super(reason);
    }
}
