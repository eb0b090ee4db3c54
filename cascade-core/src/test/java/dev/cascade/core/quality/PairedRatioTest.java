package dev.cascade.core.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PairedRatioTest {
    @Test
    void shouldEstimateTheExactRatioOfTheJudgedPairs() {
        // 80 both right, 6 only served, 10 only reference, 4 both wrong: 86 / 90
        PairedRatio.Interval i = PairedRatio.estimate(new PairedCounts(80, 6, 10, 4));
        assertThat(i.ratio()).isEqualTo(86 / 90.0);
        assertThat(i.low()).isLessThan(i.ratio());
        assertThat(i.high()).isGreaterThan(i.ratio());
        assertThat(i.high() - i.low()).isLessThan(0.2);
    }

    @Test
    void shouldKeepAnIntervalWhenTheAnswersNeverDisagree() {
        PairedRatio.Interval i = PairedRatio.estimate(new PairedCounts(500, 0, 0, 20));
        assertThat(i.ratio()).isEqualTo(1.0);
        assertThat(i.low()).isLessThan(1.0).isGreaterThan(0.99);
        assertThat(i.high()).isGreaterThan(1.0);
    }

    @Test
    void shouldHaveNoEstimateWithoutARightReferenceAnswer() {
        assertThat(PairedRatio.estimate(new PairedCounts(0, 3, 0, 5))).isNull();
        assertThat(PairedRatio.estimate(PairedCounts.NONE)).isNull();
        assertThatThrownBy(() -> new PairedCounts(1, -1, 0, 0)).hasMessageContaining("-1");
    }

    @Test
    void shouldNarrowAsPairsAccumulate() {
        PairedRatio.Interval small = PairedRatio.estimate(new PairedCounts(40, 3, 5, 2));
        PairedRatio.Interval large = PairedRatio.estimate(new PairedCounts(800, 60, 100, 40));
        assertThat(large.high() - large.low()).isLessThan((small.high() - small.low()) / 3);
    }

    /**
     * Coverage: a population of queries with known served and reference correctness (the truth is the ratio over the
     * whole population, as an offline replay of the file measures it); each seed samples queries at the given rate,
     * as shadow sampling does, and computes the interval on the sample. The 95 % interval must cover the truth in
     * at least 90 % of 1,000 seeds (it does in about 95 %).
     *
     * @param reference  the reference's accuracy
     * @param byReference share of queries the reference itself serves (both answers are the same)
     * @param rightRight P(served right | reference right) when a cheaper tier serves
     * @param rightWrong P(served right | reference wrong) when a cheaper tier serves
     */
    @ParameterizedTest
    @CsvSource({"2000, 0.2, 0.90, 0.30, 0.95, 0.30", "2000, 0.2, 0.60, 0.20, 0.80, 0.20",
            "2000, 0.2, 0.95, 0.10, 0.99, 0.05", "5000, 0.2, 0.93, 0.40, 0.90, 0.50",
            "600, 0.2, 0.85, 0.25, 0.92, 0.35"})
    void shouldCoverTheTruthInAtLeastNinetyPercentOfSeeds(int population, double rate, double reference,
                                                          double byReference, double rightRight,
                                                          double rightWrong) {
        Random world = new Random(42);
        boolean[] served = new boolean[population];
        boolean[] ref = new boolean[population];
        long servedRight = 0;
        long refRight = 0;
        for (int i = 0; i < population; i++) {
            ref[i] = world.nextDouble() < reference;
            served[i] = world.nextDouble() < byReference ? ref[i]
                    : world.nextDouble() < (ref[i] ? rightRight : rightWrong);
            servedRight += served[i] ? 1 : 0;
            refRight += ref[i] ? 1 : 0;
        }
        double truth = servedRight / (double) refRight;
        int seeds = 1000;
        int covered = 0;
        int estimated = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            Random sampler = new Random(seed);
            PairedCounts sample = PairedCounts.NONE;
            for (int i = 0; i < population; i++) {
                if (sampler.nextDouble() < rate) {
                    sample = sample.plus(PairedCounts.of(served[i], ref[i]));
                }
            }
            PairedRatio.Interval interval = PairedRatio.estimate(sample);
            if (interval != null) {
                estimated++;
                covered += interval.low() <= truth && truth <= interval.high() ? 1 : 0;
            }
        }
        System.out.printf(java.util.Locale.ROOT, "coverage %d/%d (population %d, rate %.2f, truth %.4f)%n",
                covered, estimated, population, rate, truth);
        assertThat(estimated).isEqualTo(seeds);
        assertThat(covered).as("seeds whose interval covers the truth %.4f", truth)
                .isGreaterThanOrEqualTo((int) Math.ceil(0.90 * seeds));
        // and not by being uselessly wide: no more than 99 % (a 95 % interval should miss now and then)
        assertThat(covered).isLessThanOrEqualTo((int) (0.99 * seeds));
    }

    @Test
    void shouldCountAgreementOnNormalisedAnswers() {
        assertThat(Agreement.normalise("  The  Answer is\tParis.! ")).isEqualTo("the answer is paris");
        assertThat(Agreement.agree("B", "b.")).isTrue();
        assertThat(Agreement.agree("A", "B")).isFalse();
        assertThat(Agreement.agree(null, "")).isTrue();
        assertThat(new PairedCounts(1, 2, 3, 4).minus(new PairedCounts(1, 1, 1, 1)))
                .isEqualTo(new PairedCounts(0, 1, 2, 3));
        assertThat(new PairedCounts(6, 2, 1, 1).firstAccuracy()).isCloseTo(0.8, Offset.offset(1e-12));
    }
}
