#ifndef DOCRELAY_CRDKAFKA_H
#define DOCRELAY_CRDKAFKA_H

// librdkafka and its mock cluster, as one Clang module for Swift.
// Only what Swift cannot call directly is wrapped here (see field-notes.md).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

// The mock cluster's per-broker error stack takes (error, rtt) pairs as C varargs, which Swift
// cannot pass: one pair at a time.
static inline rd_kafka_resp_err_t docrelay_mock_push_request_error_rtt(
    rd_kafka_mock_cluster_t *mcluster, int32_t broker_id, int16_t api_key,
    rd_kafka_resp_err_t err, int rtt_ms) {
    return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, err, rtt_ms);
}

#endif
