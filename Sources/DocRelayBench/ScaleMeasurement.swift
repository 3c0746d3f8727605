import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging
import Subprocess
import Synchronization
import SystemPackage

/// The outcome of `docrelay-bench scale --agencies N`, one JSON line.
struct ScaleResult: Sendable, Codable, Hashable {
    var agencies: Int
    /// Topics of the hub's plan, created on the embedded broker.
    var topics: Int
    /// Creating them (as `docrelay broker --provision` does), in seconds.
    var provisionSeconds: Double
    /// From spawning `docrelay relay` to its first document in an inbox (sent at the spawn).
    var readySeconds: Double
    /// The relay process's resident memory 15 s after it was ready, nothing flowing, in KiB.
    var restRSSKiB: Int
    /// Its highest resident memory sampled every 200 ms during the load, in KiB.
    var loadRSSKiB: Int
    /// Documents of the load, each from a random agency to another, and the rate sent.
    var documents: Int
    var rate: Double
    /// From the agency's send to the relay's write into the recipient's inbox (the inbox
    /// record's CreateTime), in ms.
    var latencyP50Milliseconds: Double
    var latencyP99Milliseconds: Double
    /// From SIGTERM to the relay's exit, in seconds.
    var stopSeconds: Double
    /// The relay's first lag measurement (its log line `Lag measured`), in ms; nil if not seen.
    var lagMilliseconds: Int?

    var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// One hub of `agencies` agencies on the embedded broker (in this process, 1 broker, 1
/// partition per topic), and the real `docrelay relay` binary (beside this executable) as a
/// child process, so that its memory is its own:
/// 1. provision: every topic of the hub's plan created in the broker, timed;
/// 2. ready: the relay spawned, one document sent at once; the time until it is in its inbox;
/// 3. at rest: the relay's RSS 15 s later;
/// 4. load: `documents` documents at `rate` per second, each from a random agency to another
///    (all agencies have certificates), signed beforehand; latency from the send to the inbox
///    record's CreateTime; the relay's RSS sampled meanwhile; every document checked delivered;
/// 5. SIGTERM, timed to the exit.
struct ScaleMeasurement: Sendable {
    let agencies: Int
    let documents: Int
    let rate: Double
    /// hub.yaml `consumer.subscription-shards`, or nil for the relay's automatic count.
    var subscriptionShards: Int? = nil
    let logger: Logger

    static func code(_ index: Int) -> String {
        "000.\(String(format: "%02d", index / 100)).\(String(format: "%02d", index % 100)).H58"
    }

    func run() async throws -> ScaleResult {
        let agencies = agencies
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-bench-scale-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        let codes = (0..<agencies).map(Self.code)

        // The PKI: an ECDSA CA, a certificate per agency (not timed).
        let now = Date()
        let caKey = try PrivateKey.generate(.ecP256)
        let ca = try DevelopmentPKI.makeCA(
            commonName: "DocRelay Bench CA", organization: "DocRelay", key: caKey,
            validFrom: now.addingTimeInterval(-3_600), validFor: 10 * 365 * 86_400)
        let hubKey = try PrivateKey.generate(.ecP256)
        let hubCertificate = try DevelopmentPKI.issue(
            commonName: "hub:national", organization: "DocRelay national hub", subjectKey: hubKey, issuer: ca,
            issuerKey: caKey, validFrom: now.addingTimeInterval(-3_600), validFor: 365 * 86_400)
        let identities = try RelayHub.parallelMap(0..<agencies) { index in
            let key = try PrivateKey.generate(.ecP256)
            let certificate = try DevelopmentPKI.issue(
                commonName: codes[index], organization: "Cơ quan \(codes[index])", subjectKey: key, issuer: ca, issuerKey: caKey,
                validFrom: now.addingTimeInterval(-3_600), validFor: 365 * 86_400)
            return try SigningIdentity(certificate: certificate, key: key)
        }
        var directory = "hubs:\n  - id: \"national\"\n    kafka:\n      bootstrap: \"\(cluster.bootstrapServers)\"\n"
        directory += "    certificates:\n      - sha256: \"\(hubCertificate.sha256Fingerprint)\"\nagencies:\n"
        for (code, identity) in zip(codes, identities) {
            directory += "  - code: \"\(code)\"\n    name: \"Cơ quan \(code)\"\n    hub: \"national\"\n    certificates:\n"
            directory += "      - sha256: \"\(identity.certificate.sha256Fingerprint)\"\n"
        }
        try Data(directory.utf8).write(to: folder.appendingPathComponent("directory.yaml"))
        try Data(ca.pem.utf8).write(to: folder.appendingPathComponent("ca.pem"))
        try Data(hubCertificate.pem.utf8).write(to: folder.appendingPathComponent("hub.pem"))
        try Data(hubKey.pem.utf8).write(to: folder.appendingPathComponent("hub.key"))
        let configuration = folder.appendingPathComponent("hub.yaml").path
        // fetch.wait.max.ms 10: the mock holds an empty fetch for all of it (see RelayMeasurement).
        try Data("""
            hub: national
            instance: bench-scale
            directory: directory.yaml
            trust:
              anchors: [ca.pem]
            identity:
              certificate: hub.pem
              key: hub.key
            consumer:
              session-timeout: 6s\(subscriptionShards.map { "\n  subscription-shards: \($0)" } ?? "")
            kafka:
              bootstrap: "\(cluster.bootstrapServers)"
              properties:
                fetch.wait.max.ms: "10"

            """.utf8).write(to: URL(fileURLWithPath: configuration))

        // 1. Provision, as `docrelay broker --provision` does.
        let plan = try TopicPlan(directory: try Directory.load(contentsOf: folder.appendingPathComponent("directory.yaml").path), hubID: "national")
        let clock = ContinuousClock()
        let provisionStart = clock.now
        for topic in plan.topics { try cluster.createTopic(topic.name, partitions: 1) }
        let provisionSeconds = RelayMeasurement.seconds(clock.now - provisionStart)
        progress("provisioned \(plan.topics.count) topics in \(provisionSeconds) s")

        // The documents, signed beforehand: a first one, then the load.
        var random = SystemRandomNumberGenerator()
        var routes: [(from: Int, to: Int)] = []
        for _ in 0...documents {
            let from = Int.random(in: 0..<agencies, using: &random)
            var to = Int.random(in: 0..<(agencies - 1), using: &random)
            if to >= from { to += 1 }
            routes.append((from, to))
        }
        let value = Array(repeating: UInt8(ascii: "x"), count: 1024)
        let fixedRoutes = routes
        let records = try RelayHub.parallelMap(0..<fixedRoutes.count) { index in
            let (from, to) = fixedRoutes[index]
            let signed = try DocumentSigner.sign(
                value, draft: DocumentDraft(id: "scale-\(index)", from: codes[from], to: [codes[to]], contentType: "application/octet-stream"),
                identity: identities[from])
            return KafkaProducerRecord(
                topic: "docrelay.out.\(codes[from])", key: Array(signed.id.utf8), value: value,
                headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
        let producer = try await KafkaProducer.connect(settings: KafkaProducerSettings(connection: cluster.settings), logger: logger)
        try await producer.loadTopicMetadata(timeout: .seconds(30))
        let admin = try await KafkaAdmin.connect(settings: cluster.settings, logger: logger)

        // 2. Ready.
        let relayBinary = try ChildRun.executable().deletingLastPathComponent().appendingPathComponent("docrelay")
        let logFile = folder.appendingPathComponent("relay.log")
        let relay = try await ScaleRelayProcess(binary: relayBinary, arguments: ["relay", "--config", configuration, "--log-level", "info"], log: logFile)
        defer { relay.kill() }
        let readyStart = clock.now
        _ = try await producer.send(records[0])
        let firstInbox = KafkaTopicMetadata(name: "docrelay.in.\(codes[routes[0].to])", partitionCount: 1)
        while try await admin.watermarks(of: [firstInbox]).values.reduce(0, { $0 + $1.high }) < 1 {
            guard clock.now - readyStart < .seconds(300), relay.isRunning else {
                throw BenchFailure("the relay of \(agencies) agencies delivered nothing within 300 s: \(relay.logTail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let readySeconds = RelayMeasurement.seconds(clock.now - readyStart)
        progress("ready in \(readySeconds) s")

        // 3. At rest.
        try await Task.sleep(for: .seconds(15))
        let restRSS = relay.residentKiB()
        progress("at rest: \(restRSS / 1024) MiB")

        // 4. Load.
        let sampler = Task {
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, relay.residentKiB())
                try? await Task.sleep(for: .milliseconds(200))
            }
            return peak
        }
        let sent = try await RelayMeasurement.sendPaced(Array(records[1...]), rate: rate, producer: producer)
        var expected: [String: [String]] = [:]
        for index in 1..<routes.count { expected["docrelay.in.\(codes[routes[index].to])", default: []].append("scale-\(index)") }
        let inboxes = expected.keys.map { KafkaTopicMetadata(name: $0, partitionCount: 1) }
        let loadStart = clock.now
        // Only the inboxes still short are asked about again, once a second: the embedded broker
        // finds each partition of a ListOffsets request by a linear search of its 20,008 topics,
        // so asking for all ~6,000 inboxes every 200 ms took about half of its thread's time and
        // slowed the relay being measured.
        var waiting = inboxes
        while !waiting.isEmpty {
            let bounds = try await admin.watermarks(of: waiting)
            var missing = 0
            waiting = waiting.filter { inbox in
                let held = bounds[KafkaTopicPartition(topic: inbox.name, partition: 0)]?.high ?? 0
                let short = max(0, expected[inbox.name, default: []].count - Int(held))
                missing += short
                return short > 0
            }
            if waiting.isEmpty { break }
            guard clock.now - loadStart < .seconds(300), relay.isRunning else {
                throw BenchFailure("\(missing) documents not delivered within 300 s: \(relay.logTail())")
            }
            try await Task.sleep(for: .seconds(1))
        }
        sampler.cancel()
        let loadRSS = await sampler.value
        let latencies = try await Self.writeLatencies(
            cluster.bootstrapServers, inboxes: expected.keys.sorted(), count: documents, sent: sent, logger: logger)
        guard latencies.count == documents else {
            throw BenchFailure("\(latencies.count) of \(documents) documents found in the inboxes")
        }

        // 5. Stop.
        let stopStart = clock.now
        let status = try await relay.terminate(within: .seconds(120))
        let stopSeconds = RelayMeasurement.seconds(clock.now - stopStart)
        guard status == 0 else { throw BenchFailure("the relay exited \(status) after SIGTERM: \(relay.logTail())") }
        await producer.close()
        let lag = relay.log().split(separator: "\n").first { $0.contains("Lag measured") }
            .flatMap { $0.split(separator: " ").first { $0.hasPrefix("docrelay.lag.milliseconds=") } }
            .flatMap { Int($0.dropFirst("docrelay.lag.milliseconds=".count)) }
        withExtendedLifetime(cluster) {}
        return ScaleResult(
            agencies: agencies, topics: plan.topics.count, provisionSeconds: provisionSeconds, readySeconds: readySeconds,
            restRSSKiB: restRSS, loadRSSKiB: max(loadRSS, restRSS), documents: documents, rate: rate,
            latencyP50Milliseconds: RelayMeasurement.percentile(latencies, 0.5),
            latencyP99Milliseconds: RelayMeasurement.percentile(latencies, 0.99),
            stopSeconds: stopSeconds, lagMilliseconds: lag)
    }

    /// Each document's time from its send to its inbox record's CreateTime (the relay's write), ms.
    static func writeLatencies(
        _ bootstrap: String, inboxes: [String], count: Int, sent: [String: Double], logger: Logger
    ) async throws -> [Double] {
        var settings = KafkaConsumerSettings(connection: KafkaSettings(bootstrap: bootstrap), groupID: "bench-scale-\(UUID().uuidString)")
        settings.sessionTimeout = .seconds(6)
        let consumer = try KafkaConsumer(settings: settings, logger: logger)
        try consumer.subscribe(topics: inboxes)
        var latencies: [Double] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        var iterator = consumer.records.makeAsyncIterator()
        while latencies.count < count, ContinuousClock.now < deadline {
            guard let record = try await iterator.next() else { break }
            consumer.markProcessed(record)
            let id = String(decoding: record.key ?? [], as: UTF8.self)
            guard let at = sent[id], let written = record.timestampMilliseconds,
                  record.headers.first(where: { $0.name == HeaderName.kind }).map({ String(decoding: $0.value ?? [], as: UTF8.self) }) != "ack"
            else { continue }
            latencies.append(max(0, Double(written) - at))
        }
        await consumer.close()
        return latencies
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data("[scale \(agencies)] \(line)\n".utf8))
    }
}

/// `docrelay relay` as a child process with its log (standard error) in a file, spawned and reaped through
/// swift-subprocess (not Foundation's `Process`: see `ChildRun.output`).
final class ScaleRelayProcess: Sendable {
    let logFile: URL
    let processIdentifier: Int32
    private let ended = Ended()
    private let reaper: Task<Void, Never>

    private final class Ended: Sendable {
        let code = Mutex<Int32?>(nil)
    }

    init(binary: URL, arguments: [String], log: URL) async throws {
        logFile = log
        let output = try FileDescriptor.open(
            FilePath(log.path), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        let configuration = Configuration(executable: .path(FilePath(binary.path)), arguments: Arguments(arguments))
        let spawned = AsyncThrowingStream<Int32, any Error>.makeStream()
        let ended = ended
        reaper = Task {
            do {
                let result = try await Subprocess.run(
                    configuration, input: .none, output: .discarded,
                    error: .fileDescriptor(output, closeAfterSpawningProcess: true)
                ) { execution in
                    spawned.continuation.yield(execution.processIdentifier.value)
                    spawned.continuation.finish()
                }
                let code: Int32 = switch result.terminationStatus {
                case .exited(let code): code
                case .signaled(let signal): 128 + signal
                }
                ended.code.withLock { $0 = code }
            } catch {
                spawned.continuation.finish(throwing: error)
                ended.code.withLock { $0 = -1 }
            }
        }
        var identifiers = spawned.stream.makeAsyncIterator()
        guard let identifier = try await identifiers.next() else { throw BenchFailure("the relay process did not start") }
        processIdentifier = identifier
    }

    var isRunning: Bool { ended.code.withLock { $0 == nil } }

    /// VmRSS of the process, in KiB (0 once it ended).
    func residentKiB() -> Int {
        guard isRunning, let status = try? String(contentsOfFile: "/proc/\(processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }

    func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    func logTail() -> String { String(log().suffix(3000)) }

    /// SIGTERM, then waits up to `limit` for the exit; its status.
    func terminate(within limit: Duration) async throws -> Int32 {
        if isRunning { Foundation.kill(processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now.advanced(by: limit)
        while true {
            if let code = ended.code.withLock({ $0 }) { return code }
            guard ContinuousClock.now < deadline else { throw BenchFailure("the relay did not stop within \(limit) of SIGTERM") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func kill() {
        if isRunning { Foundation.kill(processIdentifier, SIGKILL) }
    }
}
