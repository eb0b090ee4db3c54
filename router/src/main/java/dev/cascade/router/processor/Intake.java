package dev.cascade.router.processor;

import dev.cascade.core.RoutePolicy;
import dev.cascade.core.RouteTable;
import dev.cascade.router.model.ParseResult;
import dev.cascade.router.model.Query;
import dev.cascade.router.model.RejectReason;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Admission of one input record: parses it, refuses a duplicate of a query in flight and a query without a route,
 * and turns an accepted query into its in-flight entry at its route's first tier, with its deadline made absolute.
 * Whatever is refused goes to the dead-letter topic. Stream thread only.
 */
final class Intake {
    private final QueryParser parser;
    private final int maxHeaderBytes;
    private final RouteTable routes;
    private final String answersTopic;
    private final KeyValueStore<String, InFlight> store;
    private final Outputs outputs;
    private final ShadowSampler sampler;

    /**
     * @param maxHeaderBytes largest total of a query's headers (they are kept in the in-flight entry and copied onto
     *                       the answer, so they are bounded like the value)
     */
    Intake(QueryParser parser, int maxHeaderBytes, RouteTable routes, String answersTopic,
           KeyValueStore<String, InFlight> store, Outputs outputs, ShadowSampler sampler) {
        this.parser = parser;
        this.maxHeaderBytes = maxHeaderBytes;
        this.routes = routes;
        this.answersTopic = answersTopic;
        this.store = store;
        this.outputs = outputs;
        this.sampler = sampler;
    }

    /** The accepted query, not yet stored or dispatched; null when the record was dead-lettered. */
    InFlight admit(Record<byte[], byte[]> record) {
        int headerBytes = Outputs.size(null, null, record.headers());
        if (headerBytes > maxHeaderBytes) {
            outputs.deadLetter(record, RejectReason.TOO_LARGE, "headers are " + headerBytes + " bytes; the limit is "
                    + maxHeaderBytes);
            return null;
        }
        Outputs.Source source = outputs.source();
        ParseResult parsed = parser.parse(record.value(), source == null ? null : source.topic());
        if (parsed instanceof ParseResult.Rejected r) {
            outputs.deadLetter(record, r.reason(), r.detail());
            return null;
        }
        Query query = ((ParseResult.Valid) parsed).query();
        String replyTopic = query.replyTo() != null ? query.replyTo() : answersTopic;
        if (store.get(InFlight.key(replyTopic, query.id())) != null) {
            outputs.deadLetter(record, RejectReason.DUPLICATE_IN_FLIGHT, "a query with id '" + query.id()
                    + "' answered on '" + replyTopic + "' is already in flight");
            return null;
        }
        RoutePolicy policy = routes.resolve(query.route());
        if (policy == null) {
            outputs.deadLetter(record, RejectReason.NO_ROUTE, "no route '" + query.route() + "' and no '"
                    + RouteTable.DEFAULT + "' route");
            return null;
        }
        List<InFlight.StoredHeader> headers = new ArrayList<>();
        for (Header h : record.headers()) {
            headers.add(new InFlight.StoredHeader(h.key(), h.value()));
        }
        boolean shadow = sampler.sampled(query.id(), policy.shadowRate());
        long now = outputs.now();
        Deadline deadline = Deadline.of(query.deadlineMs(), policy.deadlineMs(), record.timestamp(), now);
        return new InFlight(query.id(), policy.route(), policy.tiers(), query.request(), replyTopic, headers,
                now, 0, 0, List.of(), shadow, List.of(), deadline);
    }
}
