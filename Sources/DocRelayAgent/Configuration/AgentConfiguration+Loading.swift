public import DocRelayCore
import DocRelayDaemon
import Foundation
import Yams

extension AgentConfiguration {
    static let topKeys = ["agency", "directory", "trust", "identity", "kafka", "state", "send", "receive", "api", "sdk"]

    /// Reads and checks `agency.yaml`; errors name the file, line, key and what was expected.
    public static func load(contentsOf path: String) throws(ConfigurationError) -> AgentConfiguration {
        try read(ConfigurationFields.readTop(path, known: topKeys, what: "an agent configuration"), path: path)
    }

    public static func parse(_ yaml: String, path: String) throws(ConfigurationError) -> AgentConfiguration {
        try read(ConfigurationFields.top(yaml, path: path, known: topKeys, what: "an agent configuration"), path: path)
    }

    private static func read(_ top: YAMLMapping, path: String) throws(ConfigurationError) -> AgentConfiguration {
        let agency = try top.requiredString("agency", required: "this agency's code in the directory", what: "an agency code")
        let directory = try ConfigurationFields.file(top, "directory", required: "the path of the directory file", path: path)
        let trust = try ConfigurationFields.trust(top, path: path)
        let identity = try ConfigurationFields.identity(top, path: path, owner: "the agency's")
        var kafka: HubConnection?
        if let node = try top.node("kafka", required: nil) {
            kafka = try HubConnection.read(node, path: path, entry: nil, key: "kafka").0
        }
        let state = Directory.resolve(try top.string("state", required: nil, what: "a folder path") ?? "agent-state", relativeTo: path)

        let send = try sending(top, path: path)
        let sdk = try sdk(top, path: path, agency: agency)
        let receive = try receiving(top, path: path, agency: agency, sdk: sdk != nil)
        guard send != nil || receive != nil else {
            throw top.error(nil, key: "send", "a sending side (send:) or a receiving side (receive:), or both")
        }
        // Acks and statuses about what it sends arrive in its `in` topic, with the documents.
        guard send == nil || receive != nil else {
            throw top.error(try top.node("send", required: nil), key: "receive",
                            "a receiving side (receive: { inbox } or { webhook }) beside send: the acks and statuses of what is sent arrive with the documents received")
        }
        var api: ListenAddress?
        var clients: [APIClient] = []
        var health = Liveness.Thresholds()
        if let apiNode = try top.node("api", required: nil) {
            let fields = try YAMLMapping(apiNode, path: path, entry: nil, key: "api", keyPrefix: "api.",
                                         known: ["listen", "clients", "broker-unreachable-after", "stall-after", "lag-growing-for"],
                                         what: "a mapping with listen, clients, broker-unreachable-after, stall-after, lag-growing-for")
            (api, clients) = try apiAccess(fields)
            health = try thresholds(fields)
        }
        var configuration = AgentConfiguration(
            path: path, agency: agency, directoryPath: directory, anchorFiles: trust.anchors,
            intermediateFiles: trust.intermediates, crlFiles: trust.crls, certificateFile: identity.certificate,
            keyFile: identity.key, kafka: kafka, stateFolder: state, send: send, receive: receive, apiListen: api)
        configuration.trustReloadEvery = trust.reloadEvery
        configuration.apiClients = clients
        configuration.health = health
        configuration.sdk = sdk
        return configuration
    }

    /// `/healthz`'s thresholds, in the `api:` section; the same keys and ranges as the relay's `admin:`.
    private static func thresholds(_ fields: YAMLMapping) throws(ConfigurationError) -> Liveness.Thresholds {
        try ConfigurationFields.livenessThresholds(fields, defaults: Liveness.Thresholds())
    }

    private static func sending(_ top: YAMLMapping, path: String) throws(ConfigurationError) -> Sending? {
        guard let node = try top.node("send", required: nil) else { return nil }
        let fields = try YAMLMapping(node, path: path, entry: nil, key: "send", keyPrefix: "send.",
                                     known: ["spool", "scan-interval", "concurrency", "segment-pace"],
                                     what: "a mapping with spool, scan-interval, concurrency, segment-pace")
        let spool = try fields.string("spool", required: nil, what: "a folder path").map { Directory.resolve($0, relativeTo: path) }
        return Sending(
            spool: spool,
            scanInterval: try ConfigurationFields.duration(fields, "scan-interval", default: .seconds(1), range: .milliseconds(50)...(.seconds(3_600))),
            concurrency: try ConfigurationFields.integer(fields, "concurrency", default: 64, range: 1...10_000),
            segmentPace: try segmentPace(fields))
    }

    /// `send.segment-pace`: bytes per second a large document's segments are produced at, a
    /// whole number (0, the default: as fast as the broker acknowledges them); at least one
    /// segment's worth (64 KiB) when set, so that a document still ends.
    private static func segmentPace(_ fields: YAMLMapping) throws(ConfigurationError) -> Int {
        guard let text = try fields.string("segment-pace", required: nil, what: "bytes per second") else { return 0 }
        let range = 65_536...1_073_741_824
        guard let parsed = Int(text), parsed == 0 || range.contains(parsed) else {
            throw fields.error(
                try fields.node("segment-pace", required: nil), key: "segment-pace",
                "bytes per second, 0 (unpaced) or from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return parsed
    }

    /// `sdk`: the SDK's clients read what is received, so neither an inbox nor a webhook is needed.
    private static func receiving(_ top: YAMLMapping, path: String, agency: String, sdk: Bool) throws(ConfigurationError) -> Receiving? {
        guard let node = try top.node("receive", required: nil) else { return nil }
        let fields = try YAMLMapping(node, path: path, entry: nil, key: "receive", keyPrefix: "receive.",
                                     known: ["inbox", "webhook", "received-status", "group", "segment-timeout"],
                                     what: "a mapping with inbox, webhook, received-status, group, segment-timeout")
        let inbox = try fields.string("inbox", required: nil, what: "a folder path").map { Directory.resolve($0, relativeTo: path) }
        var webhook: Webhook?
        if let webhookNode = try fields.node("webhook", required: nil) {
            webhook = try Self.webhook(webhookNode, path: path)
        }
        guard inbox != nil || webhook != nil || sdk else {
            throw fields.error(nil, key: "inbox", "an inbox folder (inbox:) or a webhook (webhook: { url }), or both (or sdk:)")
        }
        let statusText = try fields.string("received-status", required: nil, what: "true or false") ?? "true"
        guard let sendsStatus = ["true": true, "false": false, "yes": true, "no": false][statusText.lowercased()] else {
            throw fields.error(try fields.node("received-status", required: nil), key: "received-status", "true or false, not '\(statusText)'")
        }
        return Receiving(
            inbox: inbox, webhook: webhook, sendsReceivedStatus: sendsStatus,
            group: try fields.string("group", required: nil, what: "a consumer group id") ?? ConsumerGroupNames.agent(agency),
            segmentTimeout: try ConfigurationFields.duration(
                fields, "segment-timeout", default: .seconds(600), range: .seconds(5)...(.seconds(86_400))))
    }

    private static func webhook(_ node: Node, path: String) throws(ConfigurationError) -> Webhook {
        let fields = try YAMLMapping(node, path: path, entry: nil, key: "receive.webhook", keyPrefix: "receive.webhook.",
                                     known: ["url", "timeout", "first-retry", "max-retry", "give-up-after"],
                                     what: "a mapping with url, timeout, first-retry, max-retry, give-up-after")
        let url = try fields.requiredString("url", required: "the URL documents are posted to", what: "an http:// or https:// URL")
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw fields.error(try fields.node("url", required: nil), key: "url", "an http:// or https:// URL with a host, not '\(url)'")
        }
        let firstRetry = try ConfigurationFields.duration(fields, "first-retry", default: .seconds(1), range: .milliseconds(10)...(.seconds(3_600)))
        let maxRetry = try ConfigurationFields.duration(fields, "max-retry", default: .seconds(60), range: .milliseconds(10)...(.seconds(86_400)))
        guard maxRetry >= firstRetry else {
            throw fields.error(try fields.node("max-retry", required: nil), key: "max-retry", "a delay no shorter than first-retry (\(firstRetry))")
        }
        return Webhook(
            url: url,
            timeout: try ConfigurationFields.duration(fields, "timeout", default: .seconds(10), range: .milliseconds(100)...(.seconds(600))),
            firstRetry: firstRetry, maxRetry: maxRetry,
            giveUpAfter: try ConfigurationFields.duration(fields, "give-up-after", default: .seconds(3_600), range: .seconds(1)...(.seconds(30 * 86_400))))
    }
}
