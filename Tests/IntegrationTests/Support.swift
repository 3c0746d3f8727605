import DocRelayKafka
import DocRelayTestSupport

/// Consumer settings for a broker process, in a group of its own.
func consumerSettings(bootstrap: String) -> KafkaConsumerSettings {
    .test(bootstrap: bootstrap, group: uniqueName("group"))
}
