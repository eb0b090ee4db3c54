package dev.cascade.events;

import java.math.BigDecimal;

/**
 * The range of US-dollar amounts accepted from topics and settings: not negative, at most 18 decimal places (a
 * billionth of a billionth of a dollar) and below 10^12. A decimal read from JSON can be as short as
 * {@code 1e999999999} and still cost a billion digits to print or add, so amounts are checked at the door, before any
 * arithmetic. Pure.
 */
public final class MoneyBounds {
    /** Most decimal places kept in an amount. */
    public static final int MAX_SCALE = 18;
    /** Most digits before the decimal point (amounts stay below 10^12 USD). */
    public static final int MAX_INTEGER_DIGITS = 12;

    private MoneyBounds() {
    }

    /** Why {@code amount} is not an acceptable amount, or null when it is (null itself is the caller's to judge). */
    public static String problem(String field, BigDecimal amount) {
        if (amount == null) {
            return null;
        }
        if (amount.signum() < 0) {
            return field + " must be >= 0, got " + shortForm(amount);
        }
        if (amount.signum() == 0) {
            return null;
        }
        if (amount.scale() > MAX_SCALE && amount.stripTrailingZeros().scale() > MAX_SCALE) {
            return field + " has more than " + MAX_SCALE + " decimal places: " + shortForm(amount);
        }
        if ((long) amount.precision() - amount.scale() > MAX_INTEGER_DIGITS) {
            return field + " must be below 10^" + MAX_INTEGER_DIGITS + ", got " + shortForm(amount);
        }
        return null;
    }

    /** Scientific form, never the expanded digits of a huge or tiny amount. */
    private static String shortForm(BigDecimal amount) {
        String s = amount.toString();
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
