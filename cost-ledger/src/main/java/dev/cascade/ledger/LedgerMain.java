package dev.cascade.ledger;

/**
 * Entry point of the cost ledger. The ledger's topology is not part of this release yet; the process says so and
 * exits non-zero rather than pretending to aggregate.
 */
public final class LedgerMain {
    private LedgerMain() {
    }

    public static void main(String[] args) {
        System.err.println("cost-ledger: not available in this release (the router writes cascade.attempts and "
                + "cascade.answers; aggregate them with any consumer until the ledger ships)");
        System.exit(2);
    }
}
