package dev.cascade.router.model;

import java.util.Locale;

/** Why an input went to the dead-letter topic. A closed set: it is a metric tag and a header value. */
public enum RejectReason {
    EMPTY_VALUE, TOO_LARGE, NOT_JSON, MISSING_ID, INVALID_MESSAGES, INVALID_FIELD, REPLY_TO_NOT_ALLOWED,
    REPLY_TO_MISSING, DUPLICATE_IN_FLIGHT, NO_ROUTE;

    /** Lower-case form used in headers and metric tags. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
