package dev.cascade.simulator;

import static dev.cascade.simulator.SimulatorHttp.anthropic;
import static dev.cascade.simulator.SimulatorHttp.content;
import static dev.cascade.simulator.SimulatorHttp.json;
import static dev.cascade.simulator.SimulatorHttp.logprobConfidence;
import static dev.cascade.simulator.SimulatorHttp.openAi;
import static dev.cascade.simulator.SimulatorHttp.pYes;
import static dev.cascade.simulator.SimulatorHttp.verification;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulated models' behaviour switches, over loopback HTTP. */
class ModelSimulatorTest {
    private static final int CALLS = 400;

    private ModelSimulator simulator;
    private SimulatorHttp http;

    private static ModelBehaviour model(double accuracy, double confidenceCorrect, double confidenceWrong,
                                        double jitter) {
        return new ModelBehaviour(accuracy, 0, confidenceCorrect, confidenceWrong, jitter, 0.0,
                ModelBehaviour.Mode.OK, 600_000);
    }

    private static List<ObjectNode> questions(String model, int n, boolean logprobs) {
        return IntStream.range(0, n).mapToObj(i -> openAi(model, "question " + i, logprobs)).toList();
    }

    private void start(Map<String, ModelBehaviour> models) throws Exception {
        simulator = ModelSimulator.start(0, models);
        http = new SimulatorHttp(simulator);
    }

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void shouldAnswerAboutTheAccuracyShareOfDistinctQuestionsRightly() throws Exception {
        start(Map.of("m", model(0.7, 0.9, 0.4, 0.05)));

        List<HttpResponse<String>> answers = http.postAll("/v1/chat/completions", questions("m", CALLS, false));

        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        long right = answers.stream().filter(r -> content(json(r)).contains("(correct)")).count();

        // the verdict is a hash of model and question, so this count is the same on every run
        assertThat(right / (double) CALLS).isBetween(0.6, 0.8);
    }

    @Test
    void shouldAnswerEveryQuestionRightAtAccuracyOneAndWrongAtZero() throws Exception {
        start(Map.of("always", model(1.0, 0.9, 0.4, 0), "never", model(0.0, 0.9, 0.4, 0)));

        assertThat(http.postAll("/v1/chat/completions", questions("always", 50, false)))
                .allSatisfy(r -> assertThat(content(json(r))).contains("(correct)"));
        assertThat(http.postAll("/v1/chat/completions", questions("never", 50, false)))
                .allSatisfy(r -> assertThat(content(json(r))).contains("(wrong)"));
    }

    @Test
    void shouldGiveTheSameAnswerToTheSameQuestionEveryTime() throws Exception {
        start(Map.of("m", model(0.5, 0.9, 0.4, 0.2)));

        JsonNode first = http.chat(openAi("m", "What is 6 x 7?", true));
        JsonNode second = http.chat(openAi("m", "What is 6 x 7?", true));

        assertThat(content(second)).isEqualTo(content(first));
        assertThat(logprobConfidence(second)).isEqualTo(logprobConfidence(first));
    }

    @Test
    void shouldReportConfidenceAsTokenLogprobsWhoseMeanIsTheConfidence() throws Exception {
        start(Map.of("right", model(1.0, 0.85, 0.3, 0), "wrong", model(0.0, 0.85, 0.3, 0)));

        assertThat(logprobConfidence(http.chat(openAi("right", "Capital of France?", true))))
                .isCloseTo(0.85, within(1e-9));
        assertThat(logprobConfidence(http.chat(openAi("wrong", "Capital of France?", true))))
                .isCloseTo(0.3, within(1e-9));
    }

    @Test
    void shouldSpreadConfidenceWithinTheJitterAroundTheConfiguredValue() throws Exception {
        start(Map.of("m", model(1.0, 0.7, 0.3, 0.1)));

        Set<Double> seen = new HashSet<>();
        for (HttpResponse<String> r : http.postAll("/v1/chat/completions", questions("m", 100, true))) {
            double confidence = logprobConfidence(json(r));
            assertThat(confidence).isBetween(0.6 - 1e-9, 0.8 + 1e-9);
            seen.add(Math.round(confidence * 1000) / 1000.0);
        }
        assertThat(seen).hasSizeGreaterThan(20);
    }

    @Test
    void shouldLeaveLogprobsOutUnlessAskedForThem() throws Exception {
        start(Map.of("m", model(1.0, 0.9, 0.4, 0)));

        JsonNode completion = http.chat(openAi("m", "Capital of France?", false));

        assertThat(completion.path("choices").path(0).path("logprobs").isNull()).isTrue();
        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        JsonNode usage = completion.path("usage");
        assertThat(usage.path("prompt_tokens").asLong()).isPositive();
        assertThat(usage.path("completion_tokens").asLong()).isPositive();
        assertThat(usage.path("total_tokens").asLong())
                .isEqualTo(usage.path("prompt_tokens").asLong() + usage.path("completion_tokens").asLong());
    }

    @Test
    void shouldHoldEveryResponseForTheConfiguredLatency() throws Exception {
        start(Map.of("slow", new ModelBehaviour(1.0, 300, 0.9, 0.4, 0, 0, ModelBehaviour.Mode.OK, 600_000)));

        long started = System.nanoTime();
        http.chat(openAi("slow", "question", false));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void shouldFailAboutTheErrorRateShareOfRequests() throws Exception {
        start(Map.of("flaky", new ModelBehaviour(1.0, 0, 0.9, 0.4, 0, 0.3, ModelBehaviour.Mode.OK, 600_000)));

        List<HttpResponse<String>> responses =
                http.postAll("/v1/chat/completions", questions("flaky", CALLS, false));

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 500));
        long failed = responses.stream().filter(r -> r.statusCode() == 500).count();

        // binomial(400, 0.3): the band is more than four standard deviations wide on each side
        assertThat(failed / (double) CALLS).isBetween(0.2, 0.4);
        JsonNode stats = json(http.send(HttpRequest.newBuilder(http.uri("/admin/stats")).GET()));
        assertThat(stats.path("flaky").path("failures").asLong()).isEqualTo(failed);
        assertThat(stats.path("flaky").path("requests").asInt()).isEqualTo(CALLS);
    }

    @Test
    void shouldFailEveryRequestInFailModeUntilSwitchedBack() throws Exception {
        start(Map.of("m", model(1.0, 0.9, 0.4, 0)));

        HttpResponse<String> switched = http.post("/admin/models/m",
                Json.mapper().createObjectNode().put("mode", "fail"));
        assertThat(switched.statusCode()).isEqualTo(200);
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = http.post("/v1/chat/completions", openAi("m", "question " + i, false));
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(json(r).path("error").path("message").asText()).isEqualTo("simulated failure of m");
        }
        JsonNode stats = json(http.send(HttpRequest.newBuilder(http.uri("/admin/stats")).GET()));
        assertThat(stats.path("m").path("mode").asText()).isEqualTo("fail");

        simulator.update("m", Map.of("mode", "ok"));
        assertThat(http.post("/v1/chat/completions", openAi("m", "question", false)).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldHoldRequestToAHangingModelPastTheCallersTimeout() throws Exception {
        start(Map.of("stuck", new ModelBehaviour(1.0, 0, 0.9, 0.4, 0, 0, ModelBehaviour.Mode.HANG, 600_000)));

        assertThatThrownBy(() -> http.post("/v1/chat/completions", openAi("stuck", "question", false),
                Duration.ofMillis(500))).isInstanceOf(HttpTimeoutException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.inFlight("stuck") == 1);
    }

    @Test
    void shouldAnswerAHangingModelOnceTheHangTimeHasPassed() throws Exception {
        start(Map.of("m", model(1.0, 0.9, 0.4, 0)));
        simulator.update("m", Map.of("mode", "hang", "hang_ms", 300));

        long started = System.nanoTime();
        HttpResponse<String> r = http.post("/v1/chat/completions", openAi("m", "question", false));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(simulator.inFlight("m")).isZero();
    }

    @Test
    void shouldAnswerAVerificationCallWithOneTokenAndPYesAsTopLogprobs() throws Exception {
        start(Map.of("right", model(1.0, 0.9, 0.2, 0), "wrong", model(0.0, 0.9, 0.2, 0)));

        JsonNode yes = http.chat(verification(openAi("right", "Capital of France?", false), "Paris"));
        JsonNode no = http.chat(verification(openAi("wrong", "Capital of France?", false), "Lyon"));

        assertThat(content(yes)).isEqualTo("yes");
        assertThat(pYes(yes)).isCloseTo(0.9, within(1e-9));
        assertThat(yes.path("usage").path("completion_tokens").asLong()).isEqualTo(1);
        assertThat(content(no)).isEqualTo("no");
        assertThat(pYes(no)).isCloseTo(0.2, within(1e-9));
        assertThat(simulator.verifications("right")).isEqualTo(1);
        assertThat(simulator.requests("right")).isEqualTo(1);
    }

    @Test
    void shouldAnswerAVerificationWithTheConfidenceOfTheAnswerItChecks() throws Exception {
        start(Map.of("m", model(0.5, 0.9, 0.2, 0)));

        for (int i = 0; i < 40; i++) {
            ObjectNode question = openAi("m", "question " + i, false);
            String answer = content(http.chat(question));
            double expected = answer.contains("(correct)") ? 0.9 : 0.2;

            JsonNode check = http.chat(verification(question, answer));

            assertThat(pYes(check)).as("P(yes) for %s", answer).isCloseTo(expected, within(1e-9));
        }
    }

    @Test
    void shouldNotCountAnOrdinaryAnswerAsAVerification() throws Exception {
        start(Map.of("m", model(1.0, 0.9, 0.2, 0)));

        http.chat(openAi("m", "Capital of France?", true));

        assertThat(simulator.requests("m")).isEqualTo(1);
        assertThat(simulator.verifications("m")).isZero();
    }

    @Test
    void shouldAnswerInAnthropicMessagesFormatOnTheMessagesPath() throws Exception {
        start(Map.of("claude-sim", model(1.0, 0.9, 0.4, 0)));

        HttpResponse<String> r = http.post("/v1/messages", anthropic("claude-sim", "Be brief.", "Capital of France?"),
                Duration.ofSeconds(30), "x-api-key", "sk-ant-test", "anthropic-version", "2023-06-01");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode message = json(r);
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        assertThat(message.path("content").path(0).path("type").asText()).isEqualTo("text");
        assertThat(message.path("content").path(0).path("text").asText()).contains("(correct)");
        assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(message.path("usage").path("input_tokens").asLong()).isPositive();
        assertThat(message.path("usage").path("output_tokens").asLong()).isPositive();
        assertThat(message.has("choices")).isFalse();
        assertThat(simulator.lastCredential("claude-sim")).isEqualTo("sk-ant-test");
    }

    @Test
    void shouldTakeTheBearerTokenAsTheCredentialOfAnOpenAiCall() throws Exception {
        start(Map.of("m", model(1.0, 0.9, 0.4, 0)));

        http.post("/v1/chat/completions", openAi("m", "question", false), Duration.ofSeconds(30),
                "Authorization", "Bearer sk-test-123");

        assertThat(simulator.lastCredential("m")).isEqualTo("sk-test-123");
    }

    @Test
    void shouldAnswerTheSameQuestionAlikeInBothFormats() throws Exception {
        start(Map.of("m", model(0.5, 0.9, 0.4, 0.1)));

        for (int i = 0; i < 20; i++) {
            String question = "question " + i;
            String openAiAnswer = content(http.chat(openAi("m", question, false)));
            String anthropicAnswer = json(http.post("/v1/messages", anthropic("m", null, question)))
                    .path("content").path(0).path("text").asText();
            assertThat(anthropicAnswer).isEqualTo(openAiAnswer);
        }
    }

    @Test
    void shouldRefuseUnknownModelWith404() throws Exception {
        start(Map.of("m", model(1.0, 0.9, 0.4, 0)));

        HttpResponse<String> r = http.post("/v1/chat/completions", openAi("nobody", "question", false));

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).path("error").path("message").asText()).isEqualTo("model 'nobody' not found");
    }

    @Test
    void shouldRefuseABodyThatIsNotJsonWith400AndAGetWith405() throws Exception {
        start(Map.of("m", model(1.0, 0.9, 0.4, 0)));

        HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(http.uri("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{model: m")));
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(http.uri("/v1/chat/completions")).GET());

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(simulator.requests("m")).isZero();
    }

    @Test
    void shouldRefuseAnInvalidAdminPatchAndKeepTheModelAsItWas() throws Exception {
        start(Map.of("m", model(1.0, 0.9, 0.4, 0)));

        HttpResponse<String> r = http.post("/admin/models/m",
                Json.mapper().createObjectNode().put("accuracy", 2.0));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("error").path("message").asText()).isEqualTo("accuracy must be in [0, 1], got 2.0");
        assertThat(content(http.chat(openAi("m", "question", false)))).contains("(correct)");
    }

    @Test
    void shouldReportUpOnHealth() throws Exception {
        start(Map.of());

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(http.uri("/health")).GET());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).path("status").asText()).isEqualTo("UP");
    }
}
