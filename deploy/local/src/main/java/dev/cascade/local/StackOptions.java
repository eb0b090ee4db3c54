package dev.cascade.local;

import java.nio.file.Path;

/**
 * Options of the local stack, spelled as the README documents them.
 *
 * @param duration seconds to run before stopping cleanly; null to run until interrupted
 * @param dataDir  where broker data and router state live (kept); null for a fresh temporary directory
 * @param gatewayKey the one API key the gateway accepts; null to accept any key
 * @param shadowRate    the route's shadow_rate instead of the policy's or the demo route's; null to keep it
 * @param targetQuality the route's target_quality instead of the policy's or the demo route's; null to keep it
 */
record StackOptions(int queries, double rate, Integer duration, int kafkaPort, Path config, Path dataDir, Path home,
                    Path replay, Path policy, double latencyFactor, Path prices, String gatewayKey,
                    Double shadowRate, Double targetQuality) {

    static final String USAGE = """
            usage: deploy/local/run.sh [--queries N] [--rate QPS] [--duration SECONDS] [--kafka-port P]
                                       [--config FILE] [--data-dir DIR] [--gateway-key KEY]
              --queries N         demo queries to publish (default 200; 0 publishes none)
              --rate QPS          publishing rate (default 20)
              --duration SECONDS  stop cleanly after this long and exit 0 (default: run until interrupted)
              --kafka-port P      broker port on 127.0.0.1 (default 9092)
              --config FILE       router config (default deploy/local/config/router.yaml)
              --data-dir DIR      keep broker data and router state here, so a killed stack restarts where it was
                                  (default: a fresh temporary directory, removed on exit)
              --gateway-key KEY   the only API key the OpenAI-compatible gateway on 127.0.0.1:8080 accepts
                                  (default: any key)
              --shadow-rate R     shadow-sample this share of the route's queries (0..1), instead of the
                                  policy's or the demo route's; the judge judges every shadow answer
              --target Q          the route's target_quality (0..1], instead of the policy's or the demo route's
            replay of recorded outcomes (tiers named after the file's models):
              --replay FILE       serve a cascade-outcomes file's recorded answers, publish all its queries as the
                                  workload and their recorded correctness to cascade.feedback; needs --policy
              --policy FILE       the route's policy (from cascadectl calibrate); its tiers are the models it names
              --latency-factor F  recorded latency x F (default 0.05)
              --prices FILE       token prices per model (default deploy/local/config/replay-prices.yaml)""";

    static StackOptions parse(String[] args, Path home) {
        int queries = 200;
        double rate = 20;
        Integer duration = null;
        int kafkaPort = 9092;
        Path config = home.resolve("deploy/local/config/router.yaml");
        Path dataDir = null;
        Path replay = null;
        Path policy = null;
        double latencyFactor = 0.05;
        Path prices = home.resolve("deploy/local/config/replay-prices.yaml");
        boolean queriesGiven = false;
        String gatewayKey = null;
        Double shadowRate = null;
        Double target = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value\n" + USAGE);
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--queries" -> {
                        queries = nonNegative(a, Integer.parseInt(v));
                        queriesGiven = true;
                    }
                    case "--replay" -> replay = Path.of(v).toAbsolutePath();
                    case "--policy" -> policy = Path.of(v).toAbsolutePath();
                    case "--latency-factor" -> latencyFactor = Double.parseDouble(v);
                    case "--prices" -> prices = Path.of(v).toAbsolutePath();
                    case "--rate" -> rate = Double.parseDouble(v);
                    case "--shadow-rate" -> shadowRate = Double.parseDouble(v);
                    case "--target" -> target = Double.parseDouble(v);
                    case "--duration" -> duration = nonNegative(a, Integer.parseInt(v));
                    case "--kafka-port" -> kafkaPort = Integer.parseInt(v);
                    case "--config" -> config = Path.of(v).toAbsolutePath();
                    case "--data-dir" -> dataDir = Path.of(v).toAbsolutePath();
                    case "--gateway-key" -> gatewayKey = v;
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option " + a + " takes a number, got '" + v + "'\n" + USAGE);
            }
        }
        if (!(rate > 0)) {
            throw new IllegalArgumentException("--rate must be > 0, got " + rate);
        }
        if (kafkaPort < 1 || kafkaPort > 65_535) {
            throw new IllegalArgumentException("--kafka-port must be a TCP port, got " + kafkaPort);
        }
        if (!config.toFile().isFile()) {
            throw new IllegalArgumentException("--config: no such file " + config);
        }
        if (gatewayKey != null && (gatewayKey.isBlank() || gatewayKey.contains(",") || gatewayKey.contains("="))) {
            throw new IllegalArgumentException("--gateway-key must be non-blank and hold neither ',' nor '='");
        }
        if (shadowRate != null && !(shadowRate >= 0 && shadowRate <= 1)) {
            throw new IllegalArgumentException("--shadow-rate must be in [0, 1], got " + shadowRate);
        }
        if (target != null && !(target > 0 && target <= 1)) {
            throw new IllegalArgumentException("--target must be in (0, 1], got " + target);
        }
        if ((replay == null) != (policy == null)) {
            throw new IllegalArgumentException("--replay and --policy go together\n" + USAGE);
        }
        if (replay != null) {
            if (queriesGiven) {
                throw new IllegalArgumentException("--replay publishes every query of the file; --queries does not "
                        + "apply");
            }
            for (Path f : new Path[]{replay, policy, prices}) {
                if (!f.toFile().isFile()) {
                    throw new IllegalArgumentException("no such file " + f);
                }
            }
            if (!(latencyFactor >= 0)) {
                throw new IllegalArgumentException("--latency-factor must be >= 0, got " + latencyFactor);
            }
        }
        return new StackOptions(queries, rate, duration, kafkaPort, config, dataDir, home, replay, policy,
                latencyFactor, prices, gatewayKey, shadowRate, target);
    }

    private static int nonNegative(String option, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(option + " must be >= 0, got " + v);
        }
        return v;
    }
}
