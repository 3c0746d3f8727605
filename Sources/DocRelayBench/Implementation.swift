import ArgumentParser

/// Which pass-through is measured.
enum Implementation: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// librdkafka called directly, one thread, as a C program would.
    case raw
    /// DocRelay's `KafkaConsumer` and `KafkaProducer`.
    case layer
}
