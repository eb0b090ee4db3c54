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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.events.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay of a cascade-outcomes file made up here, served over loopback HTTP. */
class ReplayTest {
    @TempDir
    Path dir;

    private ModelSimulator simulator;
    private SimulatorHttp http;

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }

    /** One model's recorded outcome, in the file's format. */
    private static ObjectNode outcome(String answer, boolean correct, double confidence, long promptTokens,
                                      long completionTokens, double latencyMs, String costUsd) {
        return Json.mapper().createObjectNode().put("answer", answer).put("correct", correct)
                .put("confidence", confidence).put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens).put("latency_ms", latencyMs)
                .put("cost_usd", new BigDecimal(costUsd));
    }

    private static ObjectNode query(String id, String system, String question, Map<String, ObjectNode> outcomes) {
        ObjectNode line = Json.mapper().createObjectNode().put("id", id);
        ArrayNode messages = line.putArray("messages");
        if (system != null) {
            messages.addObject().put("role", "system").put("content", system);
        }
        messages.addObject().put("role", "user").put("content", question);
        outcomes.forEach(line.putObject("outcomes")::set);
        return line;
    }

    private Path file(String name, List<ObjectNode> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        Path file = dir.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(file, text);
        }
        return file;
    }

    private List<ObjectNode> twoQueries() {
        return List.of(
                query("q1", null, "Capital of France?", Map.of(
                        "tiny", outcome("Lyon", false, 0.42, 12, 3, 5, "0.000001"),
                        "big", outcome("Paris", true, 0.97, 12, 2, 9, "0.0001"))),
                query("q2", "Answer in one word.", "Largest planet?", Map.of(
                        "tiny", outcome("Jupiter", true, 0.81, 20, 4, 5, "0.000002"))));
    }

    private void start(Replay replay, Map<String, ModelBehaviour> simulated) throws IOException {
        simulator = ModelSimulator.start(0, simulated, replay);
        http = new SimulatorHttp(simulator);
    }

    @Test
    void shouldServeTheRecordedAnswerTokensAndConfidenceOfEachModel() throws Exception {
        start(Replay.load(file("outcomes.jsonl", twoQueries()), Map.of(), 0), Map.of());

        JsonNode tiny = http.chat(openAi("tiny", "Capital of France?", true));
        JsonNode big = http.chat(openAi("big", "Capital of France?", true));

        assertThat(content(tiny)).isEqualTo("Lyon");
        assertThat(logprobConfidence(tiny)).isCloseTo(0.42, within(1e-9));
        assertThat(tiny.path("usage").path("prompt_tokens").asLong()).isEqualTo(12);
        assertThat(tiny.path("usage").path("completion_tokens").asLong()).isEqualTo(3);
        assertThat(content(big)).isEqualTo("Paris");
        assertThat(logprobConfidence(big)).isCloseTo(0.97, within(1e-9));
    }

    @Test
    void shouldFindAConversationWithASystemPromptInBothFormats() throws Exception {
        start(Replay.load(file("outcomes.jsonl", twoQueries()), Map.of(), 0), Map.of());
        ObjectNode openAi = Json.mapper().createObjectNode().put("model", "tiny");
        openAi.putArray("messages").add(Json.mapper().createObjectNode().put("role", "system")
                        .put("content", "Answer in one word."))
                .add(Json.mapper().createObjectNode().put("role", "user").put("content", "Largest planet?"));

        HttpResponse<String> viaAnthropic = http.post("/v1/messages",
                anthropic("tiny", "Answer in one word.", "Largest planet?"));

        assertThat(content(http.chat(openAi))).isEqualTo("Jupiter");
        assertThat(viaAnthropic.statusCode()).isEqualTo(200);
        JsonNode message = json(viaAnthropic);
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("content").path(0).path("text").asText()).isEqualTo("Jupiter");
        assertThat(message.path("usage").path("input_tokens").asLong()).isEqualTo(20);
        assertThat(message.path("usage").path("output_tokens").asLong()).isEqualTo(4);
    }

    @Test
    void shouldAnswerAVerificationCallWithTheRecordedConfidenceAsPYes() throws Exception {
        start(Replay.load(file("outcomes.jsonl", twoQueries()), Map.of(), 0), Map.of());

        JsonNode check = http.chat(verification(openAi("tiny", "Capital of France?", false), "Lyon"));

        assertThat(content(check)).isEqualTo("no");
        assertThat(pYes(check)).isCloseTo(0.42, within(1e-9));
        assertThat(simulator.verifications("tiny")).isEqualTo(1);
    }

    @Test
    void shouldRefuseAConversationThatIsNotInTheFileWith404() throws Exception {
        start(Replay.load(file("outcomes.jsonl", twoQueries()), Map.of(), 0), Map.of());

        HttpResponse<String> unknown = http.post("/v1/chat/completions", openAi("tiny", "Capital of Spain?", true));
        // q2 has no outcome recorded for big
        HttpResponse<String> unrecorded = http.post("/v1/chat/completions", openAi("big", "Largest planet?", true));

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").path("message").asText())
                .isEqualTo("replay: this conversation is not in the replay file for model 'tiny'");
        assertThat(unrecorded.statusCode()).isEqualTo(404);
    }

    @Test
    void shouldSimulateModelsThatAreNotInTheFile() throws Exception {
        start(Replay.load(file("outcomes.jsonl", twoQueries()), Map.of(), 0),
                Map.of("sim", new ModelBehaviour(1.0, 0, 0.9, 0.4, 0, 0, ModelBehaviour.Mode.OK, 1000)));

        assertThat(content(http.chat(openAi("sim", "Capital of Spain?", false)))).contains("(correct)");
        assertThat(http.post("/v1/chat/completions", openAi("other", "Capital of France?", false)).statusCode())
                .isEqualTo(404);
    }

    @Test
    void shouldKeepTheFailureSwitchOfAReplayedModel() throws Exception {
        start(Replay.load(file("outcomes.jsonl", twoQueries()), Map.of(), 0), Map.of());

        simulator.update("tiny", Map.of("mode", "fail"));

        assertThat(http.post("/v1/chat/completions", openAi("tiny", "Capital of France?", true)).statusCode())
                .isEqualTo(500);
        assertThat(content(http.chat(openAi("big", "Capital of France?", true)))).isEqualTo("Paris");
    }

    @Test
    void shouldWaitTheRecordedLatencyTimesTheFactor() throws Exception {
        ObjectNode slow = query("slow", null, "Slow question?",
                Map.of("tiny", outcome("A", true, 0.9, 1, 1, 200, "0.000001")));
        start(Replay.load(file("outcomes.jsonl", List.of(slow)), Map.of(), 1.5), Map.of());

        long started = System.nanoTime();
        http.chat(openAi("tiny", "Slow question?", true));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void shouldBillTheRecordedConfidenceCheckOnTheAnswerOrOnTheVerificationCall() throws Exception {
        // $1 per million input tokens, $2 per million output: 100 + 2 x 10 tokens cost 0.00012, so the recorded
        // 0.00017 holds a 50-token check
        ObjectNode q = query("q", null, "Priced question?",
                Map.of("tiny", outcome("A", true, 0.9, 100, 10, 0, "0.00017")));
        Replay.Price price = new Replay.Price(new BigDecimal("1"), new BigDecimal("2"));
        start(Replay.load(file("outcomes.jsonl", List.of(q)), Map.of("tiny", price), 0), Map.of());

        JsonNode withLogprobs = http.chat(openAi("tiny", "Priced question?", true));
        JsonNode withoutLogprobs = http.chat(openAi("tiny", "Priced question?", false));
        JsonNode check = http.chat(verification(openAi("tiny", "Priced question?", false), "A"));

        assertThat(withLogprobs.path("usage").path("prompt_tokens").asLong()).isEqualTo(150);
        assertThat(withoutLogprobs.path("usage").path("prompt_tokens").asLong()).isEqualTo(100);
        assertThat(withoutLogprobs.path("usage").path("completion_tokens").asLong()).isEqualTo(10);
        assertThat(check.path("usage").path("prompt_tokens").asLong()).isEqualTo(50);
        assertThat(check.path("usage").path("completion_tokens").asLong()).isZero();
    }

    @Test
    void shouldReadAGzippedFile() throws Exception {
        start(Replay.load(file("outcomes.jsonl.gz", twoQueries()), Map.of(), 0), Map.of());

        assertThat(content(http.chat(openAi("big", "Capital of France?", false)))).isEqualTo("Paris");
    }

    @Test
    void shouldRefuseAnOutcomeWithoutItsVerdictNamingTheLine() throws IOException {
        ObjectNode bad = query("bad", null, "Q?", Map.of("tiny", outcome("A", true, 0.9, 1, 1, 0, "0.1")));
        ((ObjectNode) bad.path("outcomes").path("tiny")).remove("correct");
        Path file = file("outcomes.jsonl", List.of(twoQueries().get(0), bad));

        assertThatThrownBy(() -> Replay.load(file, Map.of(), 1))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("outcome of 'tiny' needs boolean 'correct'");
    }

    @Test
    void shouldRefuseAConfidenceAboveOne() throws IOException {
        Path file = file("outcomes.jsonl", List.of(query("q", null, "Q?",
                Map.of("tiny", outcome("A", true, 1.2, 1, 1, 0, "0.1")))));

        assertThatThrownBy(() -> Replay.load(file, Map.of(), 1))
                .hasMessageContaining("line 1")
                .hasMessageContaining("confidence of 'tiny' must be in [0, 1]");
    }

    @Test
    void shouldRefuseANegativeLatencyFactor() throws IOException {
        Path file = file("outcomes.jsonl", twoQueries());

        assertThatThrownBy(() -> Replay.load(file, Map.of(), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latency factor must be >= 0, got -1.0");
    }
}
