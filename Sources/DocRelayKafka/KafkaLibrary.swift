internal import CRdKafka

/// The librdkafka this process runs with.
public enum KafkaLibrary {
    /// librdkafka's version as the loaded library reports it (`rd_kafka_version_str`), e.g.
    /// `2.0.2`: the shared library found at run time, not the headers built against.
    public static var version: String { String(cString: rd_kafka_version_str()) }
}
