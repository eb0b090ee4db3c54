package dev.cascade.events;

/**
 * Field names and verdicts of the status records written for every record of a compacted settings topic
 * ({@code cascade.config.status} for routing policies, the pricing status topic for prices). Keyed like the settings
 * record; the key is repeated in a field ({@link #CONFIG_KEY} for policies, {@link #PRICING_KEY} for prices) and the
 * value in force afterwards in {@link #CONFIG_EFFECTIVE} or {@link #PRICING_EFFECTIVE}.
 */
public final class SettingsStatus {
    public static final String STATUS = "status";
    public static final String REASON = "reason";
    public static final String PARTITION = "config_partition";
    public static final String OFFSET = "config_offset";
    public static final String TIMESTAMP = "timestamp";

    public static final String CONFIG_KEY = "route";
    public static final String CONFIG_EFFECTIVE = "effective_policy";
    public static final String PRICING_KEY = "tier";
    public static final String PRICING_EFFECTIVE = "effective_pricing";

    /** What became of one settings record. */
    public enum Verdict { ACCEPTED, REJECTED }

    private SettingsStatus() {
    }
}
