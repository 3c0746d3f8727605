public import DocRelayCore
public import DocRelayDocuments
import Foundation

/// The configuration of one hub's relay (`hub.yaml`), as written; `RelaySetup` is what it
/// resolves to. Paths are relative to the configuration file.
///
/// ```yaml
/// hub: national                 # this hub's id in the directory (required)
/// instance: relay-1             # default: the host name
/// directory: directory.yaml     # required
/// trust:
///   anchors: [pki/ca.pem]       # required: PEM bundles of trust anchors
///   intermediates: []           # optional
///   crls: []                    # optional: CRLs (then every CA of a chain needs one); none: no revocation check
///   reload-every: 1h            # the trust files read again this often (and on SIGHUP); 0: only on SIGHUP
/// identity:                     # the hub's relay certificate and key: they sign acks (required)
///   certificate: pki/hubs/national.pem
///   key: pki/hubs/national.key
/// kafka:                        # optional: else the hub's connection in the directory
///   bootstrap: 127.0.0.1:9092
///   properties-file: kafka/tls.properties
///   properties: { client.id: relay-1 }
///   topic-prefix: docrelay
/// consumer:
///   group: docrelay-relay-national   # default docrelay-relay-<hub>
///   session-timeout: 45s             # default 45s
///   workers: 256                     # records processed at once, default 256
///   retry-workers: 32                # retry partitions handled at once (each in order), default 32
/// retry:
///   tiers: [5s, 1m, 10m, 1h]         # default, the contract's
///   max-age: 24h                     # after it, a record is dead-lettered (exhausted); default 24h
///   attempt-timeout: 30s             # how long one write may take before it counts as failed
///   neighbour-hold-down: 5s          # a neighbour hub whose write failed is left alone this long
/// limits:
///   max-value-bytes: 1048576         # default 1 MiB
///   max-hops: 16                     # a record that passed this many hubs is a loop: dead-lettered
///   max-header-bytes: 65536          # all headers of a record, names and values; 32768 to 1048576
///   memory-budget: 268435456         # bytes of records held at once (RelayMemoryBudget); default 256 MiB
///   segment-timeout: 5m              # a large document whose next segment does not come for this long is dead-lettered (incomplete); 5s-1d
/// acceptance:                        # a record's time, judged by the first hub (AcceptanceRules)
///   max-skew: 5m                     # dr-created at most this far ahead of the hub's clock; default 5m
///   max-age: 7d                      # and at most this old at its first acceptance; default 7d
/// retention:                         # what `provision` sets, and when the relay warns (RetentionSettings)
///   inbox: 30d                       # in.<code>: the longest outage of an agency to ride out
///   dlq: 30d
///   events: 90d
///   transit: 7d                      # out, hub, retry: at least the longest tier + max-age
///   warn-at: 80%                     # of an inbox's retention, for its oldest unread record
///   check-interval: 5m
/// admin:
///   listen: 127.0.0.1:9480           # /metrics and /healthz; omit to disable
/// ```
public struct RelayConfiguration: Sendable, Hashable {
    /// The file it was read from.
    public var path: String
    public var hubID: String
    public var instance: String
    public var directoryPath: String
    public var anchorFiles: [String]
    public var intermediateFiles: [String]
    public var crlFiles: [String]
    /// How often the trust files are read again (`trust.reload-every`, 10 s to 30 days, default
    /// 1 h); nil: only on SIGHUP.
    public var trustReloadEvery: Duration? = TrustSettings.defaultReloadEvery
    public var certificateFile: String
    public var keyFile: String
    /// The Kafka connection, when it overrides the directory's.
    public var kafka: HubConnection?
    public var consumerGroup: String
    public var sessionTimeout: Duration
    public var workers: Int
    public var retryTiers: [RetryTier]
    public var maxAge: Duration
    public var attemptTimeout: Duration
    public var maxValueBytes: Int
    /// A record that has passed this many hubs is dead-lettered.
    public var maxHops: Int
    /// All headers of a record together, names and values, in bytes (`limits.max-header-bytes`,
    /// 32 KiB to 1 MiB, default 64 KiB); beyond it the record is `oversize`.
    public var maxHeaderBytes: Int = 65_536
    /// Bytes of records the relay holds at once, fetched or in processing (`limits.memory-budget`,
    /// at least 16 of the largest record; default 256 MiB): see `RelayMemoryBudget`.
    public var memoryBudget: Int = 256 * 1_048_576
    /// A document in segments whose next segment does not come for this long is given up
    /// (`limits.segment-timeout`, 5s–1d, default 5m): dead-lettered `incomplete` (contract,
    /// "Large documents").
    public var segmentTimeout: Duration = .seconds(300)
    /// How long a neighbour hub whose write failed is left alone before the next try.
    public var neighbourHoldDown: Duration
    /// Retention per topic kind, and the relay's check of unread inbox records against it.
    public var retention: RetentionSettings
    /// `host:port` of the admin HTTP server, or nil for none.
    public var adminListen: AdminAddress?
    /// When `/healthz` answers 503 (`admin.broker-unreachable-after`, `admin.stall-after`,
    /// `admin.lag-growing-for`).
    public var health = Liveness.Thresholds()
    /// Retry partitions handled at once, each in offset order (`consumer.retry-workers`, 1–1000,
    /// default 32).
    public var retryWorkers: Int = 32
    /// Over how many consumer group members in this process the agencies' `out` topics are
    /// split (`consumer.subscription-shards`, 1–64; nil, the default, chooses at start by the
    /// hub's agencies in the directory and, past 10,000, the `out` topics on the cluster:
    /// `SubscriptionShards.automatic`). 1 subscribes by pattern.
    public var subscriptionShards: Int?
    /// How the first hub judges a record's time (`acceptance.max-skew`, 1s–1d, default 5m;
    /// `acceptance.max-age`, 1m–365d, default 7d).
    public var acceptance = AcceptanceRules()

    /// Where the admin server listens.
    public typealias AdminAddress = ListenAddress
}

extension RelayConfiguration {
    /// The limits a record is decoded with (`limits:` of hub.yaml).
    public var envelopeLimits: EnvelopeLimits {
        EnvelopeLimits(maxValueBytes: maxValueBytes, maxHeaderBytes: maxHeaderBytes)
    }

    /// The largest record the relay's producers take (`KafkaProducerSettings.maxRecordBytes`).
    public var maxRecordBytes: Int { envelopeLimits.maxRecordBytes }
}
