public import DocRelayCore
public import Foundation

/// The configuration of one agency's daemon (`agency.yaml`), as written; `AgentSetup` is what it
/// resolves to. Paths are relative to the configuration file. A sending side, a receiving side,
/// or both; the HTTP API when `api.listen` is given.
///
/// ```yaml
/// agency: 000.00.00.G22          # this agency's code in the directory (required)
/// directory: directory.yaml      # required
/// trust:
///   anchors: [pki/ca.pem]        # required: documents received are verified again here
///   intermediates: []
///   crls: []                     # CRLs (then every CA of a chain needs one); none: no revocation check
///   reload-every: 1h             # the trust files read again this often (and on SIGHUP); 0: only on SIGHUP
/// identity:                      # the agency's certificate and key: they sign what it sends
///   certificate: pki/agencies/000.00.00.G22.pem
///   key: pki/agencies/000.00.00.G22.key
/// kafka:                         # optional: else the home hub's connection in the directory
///   bootstrap: 127.0.0.1:9092
/// state: state/                  # the SQLite store and parked deliveries; default agent-state/
/// send:
///   spool: spool/                # outbox/, sent/ and rejected/ beneath it; omit: HTTP only
///   scan-interval: 1s            # how often outbox/ is looked at
///   concurrency: 64              # documents published at once
///   segment-pace: 0              # bytes/s a large document's segments are produced at; 0: unpaced
/// receive:
///   inbox: inbox/                # documents as files with .meta.json sidecars
///   webhook:
///     url: http://127.0.0.1:8080/documents
///     timeout: 10s               # one attempt
///     first-retry: 1s            # backoff doubles from here ...
///     max-retry: 1m              # ... up to here
///     give-up-after: 1h          # then the document is parked, visibly
///   received-status: true        # send status 01 to the sender on delivery (default true)
///   group: docrelay-agent-000.00.00.G22
///   segment-timeout: 10m         # a large document's partial file without a next segment this long is dropped
/// api:
///   listen: 127.0.0.1:9580       # POST/GET /v1/documents..., /healthz; default 127.0.0.1:9580
///   clients:                     # who may call it; required unless listen is a loopback address
///     - name: qlvb               # named in logs and in 403s
///       token-sha256: 9f86d0...  # hex SHA-256 of its bearer token (`docrelay agent token`)
///       may: [send, read]        # send, read, redeliver
///   broker-unreachable-after: 30s  # /healthz 503 when no broker answered for this long
///   stall-after: 60s             # ... when records wait and none progressed for this long
///   lag-growing-for: 5m          # ... when the in topic's lag rose at every measurement this long
/// sdk:                           # the national hub SDK's API on the same port (docs/sdk-compatibility.md)
///   path: /XrdAdapter/adapter
///   secrets: sdk-secrets         # "<system id> <secret>" per line, chmod 600
///   systems: [{ id: 000.00.00.G22, may-send-as: [000.00.00.G22] }]
/// ```
public struct AgentConfiguration: Sendable, Hashable {
    /// The file it was read from.
    public var path: String
    public var agency: String
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
    /// The folder of the agent's state (SQLite store, parked deliveries).
    public var stateFolder: String
    public var send: Sending?
    public var receive: Receiving?
    /// `host:port` of the HTTP API, or nil for none.
    public var apiListen: ListenAddress?
    /// Who may call the HTTP API (`api.clients`); empty: anyone who reaches it, which is
    /// allowed only on a loopback address.
    public var apiClients: [APIClient] = []
    /// When `/healthz` answers 503 (`api:` keys; defaults 30 s, 60 s, 5 min).
    public var health = Liveness.Thresholds()
    /// The national hub SDK's API on the same port (`sdk:`), or nil for none.
    public var sdk: SDK?

    /// The sending side.
    public struct Sending: Sendable, Hashable {
        /// The spool folder (with `outbox/`, `sent/`, `rejected/`), or nil: HTTP only.
        public var spool: String?
        public var scanInterval: Duration
        public var concurrency: Int
        /// `segment-pace`: bytes per second a document sent in segments is produced at (its
        /// segments spaced out accordingly); 0: as fast as the broker acknowledges them.
        public var segmentPace: Int = 0
    }

    /// The receiving side.
    public struct Receiving: Sendable, Hashable {
        /// The inbox folder; with neither it nor a webhook, documents wait for the SDK's clients only.
        public var inbox: String?
        public var webhook: Webhook?
        public var sendsReceivedStatus: Bool
        public var group: String
        /// `segment-timeout`: a document received in segments whose next segment does not come
        /// for this long is given up (its partial file deleted, noted in `refused/`).
        public var segmentTimeout: Duration = .seconds(600)
    }

    /// Where received documents are posted, and how long the agent keeps trying.
    public struct Webhook: Sendable, Hashable {
        public var url: String
        public var timeout: Duration
        public var firstRetry: Duration
        public var maxRetry: Duration
        public var giveUpAfter: Duration
    }
}
