package dev.cascade.router.processor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decides whether a query is shadow-sampled, in a way its producer can neither choose nor predict. With a key
 * (every instance configured with the same one), a query is sampled when HMAC-SHA256(key, id) falls under the rate:
 * the same id is sampled the same way by every instance and on every re-send, and without the key no one can tell
 * which ids will be. Without a key, each admitted query is drawn at random. Either way the decision is taken once, at
 * admission, and kept in the query's in-flight entry, so a query dispatched again after a crash keeps it.
 * Thread-safe.
 */
public final class ShadowSampler {
    private static final String HMAC = "HmacSHA256";
    private static final double UNIT = 0x1.0p-53;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private final SecureRandom random;

    private ShadowSampler(byte[] key) {
        this.key = key == null ? null : new SecretKeySpec(key, HMAC);
        this.macs = key == null ? null : ThreadLocal.withInitial(this::newMac);
        this.random = key == null ? new SecureRandom() : null;
    }

    /** Sampling by HMAC-SHA256 of the id under {@code key}. */
    public static ShadowSampler keyed(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("a shadow sampling key must not be empty");
        }
        return new ShadowSampler(key.clone());
    }

    /** Sampling by a random draw per admitted query. */
    public static ShadowSampler unkeyed() {
        return new ShadowSampler(null);
    }

    /** Whether a query with this id is sampled at {@code rate} (in [0, 1]). */
    public boolean sampled(String id, double rate) {
        if (rate <= 0) {
            return false;
        }
        if (rate >= 1) {
            return true;
        }
        return draw(id) < rate;
    }

    /** A number in [0, 1): from the id's keyed hash, or at random without a key. */
    double draw(String id) {
        if (key == null) {
            return random.nextDouble();
        }
        byte[] mac = macs.get().doFinal(id.getBytes(StandardCharsets.UTF_8));
        return (ByteBuffer.wrap(mac).getLong() >>> 11) * UNIT;
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }
}
