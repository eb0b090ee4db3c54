package dev.cascade.ctl;

import dev.cascade.events.Json;
import dev.cascade.ctl.calibration.Bootstrap;
import dev.cascade.ctl.calibration.Calibrator;
import dev.cascade.ctl.calibration.CalibratorSettings;
import dev.cascade.ctl.calibration.CrossValidation;
import dev.cascade.ctl.calibration.LeaveOneStratumOut;
import dev.cascade.ctl.calibration.OutcomesFile;
import dev.cascade.ctl.calibration.Oracle;
import dev.cascade.ctl.calibration.QueryOutcomes;
import dev.cascade.ctl.calibration.StratifiedScore;
import dev.cascade.ctl.calibration.Strata;
import dev.cascade.ctl.calibration.PolicyScore;
import dev.cascade.core.PolicyParser;
import dev.cascade.core.RoutePolicy;
import dev.cascade.core.TierStep;
import java.io.IOException;
import java.io.PrintStream;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code cascadectl calibrate}: chooses tiers and thresholds from a cascade-outcomes file, reports the in-sample
 * result with bootstrap intervals, the cross-validated (held-out) result, the oracle and the terminal alone, and
 * writes the policy in the config topic's format with tier names equal to the file's model names.
 */
final class CalibrateCommand {
    static final Set<String> OPTIONS = Set.of("--terminal", "--target-quality", "--candidates", "--max-tiers",
            "--chain", "--z", "--grid", "--folds", "--seed", "--bootstrap", "--out", "--task", "--strata",
            "--stratum-z", "--min-stratum");

    private final PrintStream out;
    private final PrintStream err;

    CalibrateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(Path outcomesFile, Map<String, String> options) {
        String terminal = options.get("--terminal");
        if (terminal == null) {
            throw new IllegalArgumentException("--terminal MODEL is required");
        }
        if (options.containsKey("--chain") && (options.containsKey("--candidates")
                || options.containsKey("--max-tiers"))) {
            throw new IllegalArgumentException("--chain fixes the tiers; it excludes --candidates and --max-tiers");
        }
        List<QueryOutcomes> queries;
        try {
            queries = OutcomesFile.read(outcomesFile);
        } catch (IOException e) {
            err.println("calibrate: " + e.getMessage());
            return 2;
        }
        if (options.containsKey("--task")) {
            String task = options.get("--task");
            queries = queries.stream().filter(q -> task.equals(q.task())).toList();
            if (queries.isEmpty()) {
                throw new IllegalArgumentException("no query of task '" + task + "' in " + outcomesFile);
            }
        }
        Set<String> models = new TreeSet<>(queries.get(0).outcomes().keySet());
        if (!models.contains(terminal)) {
            throw new IllegalArgumentException("terminal '" + terminal + "' is not in the file (models: " + models
                    + ")");
        }
        boolean fixed = options.containsKey("--chain");
        List<String> candidates;
        if (fixed) {
            candidates = list(options.get("--chain"));
        } else if (options.containsKey("--candidates")) {
            candidates = list(options.get("--candidates"));
        } else {
            candidates = cheaperThan(queries, models, terminal);
        }
        for (String c : candidates) {
            if (!models.contains(c)) {
                throw new IllegalArgumentException("model '" + c + "' is not in the file (models: " + models + ")");
            }
        }
        CalibratorSettings settings = new CalibratorSettings(terminal,
                number(options, "--target-quality", 0.97),
                candidates.stream().filter(c -> !c.equals(terminal)).toList(),
                (int) number(options, "--max-tiers", CalibratorSettings.DEFAULT_MAX_TIERS),
                fixed, number(options, "--z", CalibratorSettings.DEFAULT_Z),
                (int) number(options, "--grid", CalibratorSettings.DEFAULT_GRID),
                options.getOrDefault("--strata", CalibratorSettings.DEFAULT_STRATA),
                number(options, "--stratum-z", CalibratorSettings.DEFAULT_STRATUM_Z),
                (int) number(options, "--min-stratum", CalibratorSettings.DEFAULT_MIN_STRATUM));
        if (options.containsKey("--strata") && settings.stratified()
                && queries.stream().noneMatch(q -> q.label(settings.strata()) != null)) {
            throw new IllegalArgumentException("no query in " + outcomesFile + " has a '" + settings.strata()
                    + "' field (fields: " + queries.get(0).labels().keySet() + "; --strata none for pooled only)");
        }
        int folds = (int) number(options, "--folds", 5);
        long seed = (long) number(options, "--seed", 1);
        int resamples = (int) number(options, "--bootstrap", 1000);

        Calibrator.Choice choice = Calibrator.choose(queries, settings);
        // without a stratified constraint the report still breaks results down by task, for comparison
        Strata strata = settings.stratified() ? Calibrator.strata(queries, settings)
                : Strata.of(queries, CalibratorSettings.DEFAULT_STRATA, settings.minStratum());
        List<TierStep> terminalOnly = List.of(new TierStep(terminal, null));
        StratifiedScore terminalAlone = Calibrator.replay(queries, terminalOnly, terminal, strata);
        PolicyScore t = terminalAlone.pooled();
        StrataReport report = new StrataReport(out, terminal, strata.field());
        out.printf(Locale.ROOT, "%d queries; terminal %s: accuracy %.4f, %s USD per 1k queries%n", queries.size(),
                terminal, t.accuracy(), usd(t));
        boolean stratified = strata.count() > 1;
        if (stratified) {
            report.strata(strata, terminalAlone, settings.stratified());
        }
        String stratumMargin = settings.stratified() && stratified
                ? String.format(Locale.ROOT, " and %.2f within each stratum", settings.stratumZ()) : "";
        out.printf(Locale.ROOT, "target: %.1f%% of the terminal's accuracy, margin %.2f standard errors pooled%s%s%n",
                100 * settings.target(), settings.z(), stratumMargin, fixed ? ", fixed chain" : ", candidates "
                        + candidates);
        if (queries.size() < 500) {
            out.printf(Locale.ROOT, "note: %d queries is a small file; the margin keeps the target on average, but "
                    + "read the bootstrap and cross-validation lines before trusting the policy%n", queries.size());
        }
        out.println("policy: " + describe(choice.tiers()));
        PolicyScore in = choice.inSample();
        out.printf(Locale.ROOT, "  in sample:  accuracy %.4f (%.1f%% of %s), %s USD per 1k queries (%.1f%% of the "
                        + "terminal's cost)%n", in.accuracy(), 100 * in.ratio(), terminal, usd(in),
                100 * in.costFemto() / (double) Math.max(1, t.costFemto()));
        if (stratified) {
            report.byStratum("    in sample", Calibrator.replay(queries, choice.tiers(), terminal, strata),
                    terminalAlone);
        }
        Bootstrap.Intervals b = Bootstrap.run(queries, choice.tiers(), terminal, resamples, seed);
        out.printf(Locale.ROOT, "  bootstrap 95%% (%d resamples): accuracy %.4f..%.4f, ratio %.1f%%..%.1f%%, "
                        + "%s..%s USD per 1k%n", b.resamples(), b.accuracyLow(), b.accuracyHigh(),
                100 * b.ratioLow(), 100 * b.ratioHigh(), round(b.costPer1kLow()), round(b.costPer1kHigh()));
        if (folds > 0) {
            heldOut(queries, settings, folds, seed, stratified ? strata : null, terminalAlone, report);
        }
        if (stratified && settings.stratified()) {
            CalibratorSettings pooledOnly = settings.withStrata(Strata.NONE, settings.stratumZ(),
                    settings.minStratum());
            Calibrator.Choice loose = Calibrator.choose(queries, pooledOnly);
            report.robustness(loose, Calibrator.replay(queries, loose.tiers(), terminal, strata), choice, t);
        }
        PolicyScore oracle = Oracle.of(queries, new ArrayList<>(models), terminal);
        out.printf(Locale.ROOT, "oracle (cheapest correct model per query): accuracy %.4f, %s USD per 1k queries%n",
                oracle.accuracy(), usd(oracle));
        RoutePolicy policy = new RoutePolicy("calibrated", choice.tiers());
        String json = PolicyParser.toJson(policy).toPrettyString();
        if (options.containsKey("--out")) {
            Path target = Path.of(options.get("--out"));
            try {
                Files.writeString(target, json + System.lineSeparator());
            } catch (IOException e) {
                err.println("calibrate: cannot write " + target + ": " + e.getMessage());
                return 4;
            }
            out.println("wrote " + target);
        } else {
            out.println(json);
        }
        return 0;
    }

    /**
     * Cross-validation, and with strata also its answers per stratum, reweighted to shifted mixes, and each stratum
     * held out in turn.
     */
    private void heldOut(List<QueryOutcomes> queries, CalibratorSettings settings, int folds, long seed,
                         Strata strata, StratifiedScore terminalAlone, StrataReport report) {
        String terminal = settings.terminal();
        CrossValidation.Report cv = strata == null ? CrossValidation.run(queries, settings, folds, seed)
                : CrossValidation.run(queries, settings, folds, seed, strata);
        PolicyScore p = cv.pooled();
        out.printf(Locale.ROOT, "  %d-fold cross-validation, each fold scored by the policy chosen without it:%n",
                folds);
        out.printf(Locale.ROOT, "    held out:  accuracy %.4f (%.1f%% of %s), %s USD per 1k queries; worst "
                + "fold %.1f%%%n", p.accuracy(), 100 * p.ratio(), terminal, usd(p), 100 * cv.worstFoldRatio());
        for (CrossValidation.Fold f : cv.folds()) {
            out.printf(Locale.ROOT, "    fold %d: %.1f%%, %s USD per 1k  %s%n", f.index() + 1,
                    100 * f.heldOut().ratio(), usd(f.heldOut()), describe(f.chosen().tiers()));
        }
        if (strata != null) {
            report.byStratum("    held out", cv.byStratum(), terminalAlone);
            report.mixes(cv.byStratum(), terminalAlone);
            report.leaveOneOut(LeaveOneStratumOut.run(queries, settings, strata));
        }
    }

    /** Models whose mean recorded cost is below the terminal's: the default candidates. */
    private static List<String> cheaperThan(List<QueryOutcomes> queries, Set<String> models, String terminal) {
        Map<String, Long> cost = models.stream().collect(Collectors.toMap(m -> m,
                m -> Calibrator.replay(queries, List.of(new TierStep(m, null)), m).costFemto()));
        return models.stream().filter(m -> cost.get(m) < cost.get(terminal)).toList();
    }

    static String describe(List<TierStep> tiers) {
        return tiers.stream().map(s -> s.threshold() == null ? s.tier()
                : String.format(Locale.ROOT, "%s >= %.4g", s.tier(), s.threshold())).collect(Collectors.joining(
                " -> "));
    }

    private static String usd(PolicyScore t) {
        return round(t.costPer1k());
    }

    private static String round(java.math.BigDecimal v) {
        return v.round(new MathContext(5)).toPlainString();
    }

    private static List<String> list(String csv) {
        List<String> names = Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new IllegalArgumentException("empty model list '" + csv + "'");
        }
        return names;
    }

    private static double number(Map<String, String> options, String name, double fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a number, got '" + v + "'");
        }
    }
}
