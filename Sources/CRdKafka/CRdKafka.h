#ifndef DOCRELAY_CRDKAFKA_H
#define DOCRELAY_CRDKAFKA_H

// librdkafka and its mock cluster, as one Clang module for Swift.
// Only what Swift cannot call directly is wrapped here (see field-notes.md).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#endif
