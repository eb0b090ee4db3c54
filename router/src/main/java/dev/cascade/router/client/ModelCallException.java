package dev.cascade.router.client;

/** A model call that did not produce an answer. The message never contains credentials. */
public final class ModelCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelCallException(String message) {
        super(message);
    }

    public ModelCallException(String message, Throwable cause) {
        super(message, cause);
    }
}
