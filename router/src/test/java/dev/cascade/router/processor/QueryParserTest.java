package dev.cascade.router.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.router.model.ParseResult;
import dev.cascade.router.model.Query;
import dev.cascade.router.model.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryParserTest {
    private final QueryParser parser = new QueryParser(1024, List.of("cascade.answers.*"));

    private ParseResult parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private RejectReason reason(String json) {
        return ((ParseResult.Rejected) parse(json)).reason();
    }

    @Test
    void shouldAcceptPromptAsOneUserMessage() {
        Query q = ((ParseResult.Valid) parse("{\"id\":\"1\",\"prompt\":\"hi\",\"max_tokens\":5,\"temperature\":0.2}"))
                .query();
        assertThat(q.request().messages()).hasSize(1);
        assertThat(q.request().messages().get(0).role()).isEqualTo("user");
        assertThat(q.request().maxTokens()).isEqualTo(5);
        assertThat(q.route()).isNull();
    }

    @Test
    void shouldAcceptFullContract() {
        Query q = ((ParseResult.Valid) parse("{\"id\":\"1\",\"route\":\"r\",\"messages\":[{\"role\":\"system\","
                + "\"content\":\"s\"},{\"role\":\"user\",\"content\":\"u\"}],\"tenant\":\"t\",\"metadata\":{\"k\":\"v\"},"
                + "\"reply_to\":\"cascade.answers.app1\"}")).query();
        assertThat(q.route()).isEqualTo("r");
        assertThat(q.replyTo()).isEqualTo("cascade.answers.app1");
        assertThat(q.metadata()).containsEntry("k", "v");
    }

    @Test
    void shouldReadADeadlineAndRefuseOneThatIsNotAPositiveWholeNumberOfMilliseconds() {
        assertThat(((ParseResult.Valid) parse("{\"id\":\"1\",\"prompt\":\"x\",\"deadline_ms\":200}")).query()
                .deadlineMs()).isEqualTo(200L);
        assertThat(((ParseResult.Valid) parse("{\"id\":\"1\",\"prompt\":\"x\"}")).query().deadlineMs()).isNull();
        for (String bad : new String[]{"0", "-5", "1.5", "\"200\"", "86400001", "1e30"}) {
            ParseResult r = parse("{\"id\":\"1\",\"prompt\":\"x\",\"deadline_ms\":" + bad + "}");
            assertThat(r).as(bad).isInstanceOf(ParseResult.Rejected.class);
            assertThat(((ParseResult.Rejected) r).reason()).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(((ParseResult.Rejected) r).detail()).contains("deadline_ms");
        }
    }

    @Test
    void shouldRejectEachKindOfBadInputWithItsReason() {
        assertThat(parser.parse(null)).isInstanceOf(ParseResult.Rejected.class);
        assertThat(reason("nope")).isEqualTo(RejectReason.NOT_JSON);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\"} trailing")).isEqualTo(RejectReason.NOT_JSON);
        assertThat(reason("\"just a string\"")).isEqualTo(RejectReason.NOT_JSON);
        assertThat(reason("{\"prompt\":\"x\"}")).isEqualTo(RejectReason.MISSING_ID);
        assertThat(reason("{\"id\":\"\",\"prompt\":\"x\"}")).isEqualTo(RejectReason.MISSING_ID);
        assertThat(reason("{\"id\":\"1\"}")).isEqualTo(RejectReason.INVALID_MESSAGES);
        assertThat(reason("{\"id\":\"1\",\"messages\":[]}")).isEqualTo(RejectReason.INVALID_MESSAGES);
        assertThat(reason("{\"id\":\"1\",\"messages\":[{\"role\":\"user\"}]}")).isEqualTo(RejectReason.INVALID_MESSAGES);
        assertThat(reason("{\"id\":\"1\",\"messages\":[{\"role\":\"user\",\"content\":1}]}"))
                .isEqualTo(RejectReason.INVALID_MESSAGES);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"y\"}]}"))
                .isEqualTo(RejectReason.INVALID_MESSAGES);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"max_tokens\":0}")).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"max_tokens\":1.5}")).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"temperature\":3}")).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"route\":5}")).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"metadata\":{\"k\":1}}"))
                .isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"extra\":1}")).isEqualTo(RejectReason.INVALID_FIELD);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"" + "x".repeat(2000) + "\"}")).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"metadata\":" + "[".repeat(100) + "]".repeat(100) + "}"))
                .isEqualTo(RejectReason.NOT_JSON);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"bad \\ud800 half\"}")).isEqualTo(RejectReason.INVALID_MESSAGES);
        assertThat(reason("{\"id\":\"1\",\"messages\":[{\"role\":\"user\",\"content\":\"\\udc00\"}]}"))
                .isEqualTo(RejectReason.INVALID_MESSAGES);
        assertThat(parse("{\"id\":\"1\",\"prompt\":\"rocket \\ud83d\\ude80\"}")).isInstanceOf(ParseResult.Valid.class);
    }

    @Test
    void shouldOnlyAllowReplyToMatchingTheAllowList() {
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"reply_to\":\"cascade.attempts\"}"))
                .isEqualTo(RejectReason.REPLY_TO_NOT_ALLOWED);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"reply_to\":\"cascadeXanswersXy\"}"))
                .isEqualTo(RejectReason.REPLY_TO_NOT_ALLOWED);
        assertThat(reason("{\"id\":\"1\",\"prompt\":\"x\",\"reply_to\":\"cascade.answers.a b\"}"))
                .isEqualTo(RejectReason.REPLY_TO_NOT_ALLOWED);
        assertThat(ReplyRules.glob("cascade.answers.*").matcher("cascade.answers.team-1").matches()).isTrue();
        assertThat(ReplyRules.glob("*.replies").matcher("app.replies").matches()).isTrue();
    }
}
