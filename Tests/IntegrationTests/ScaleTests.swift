import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import DocRelayTestSupport
import Foundation
import FoundationNetworking
import Testing

/// Issue 16, "A national hub: 10,000 agencies on one relay". Kept light for the suite (one
/// broker, one partition per topic, a few hundred documents); every wait sleeps, and the
/// figures are printed, bounded only generously.
@Suite("A national hub: 10,000 agencies on one relay")
struct ScaleTests {
    /// Agencies whose topics exist when the relay starts; with `lateAgency`, 10,000.
    static let agencyCount = 9_999
    static let senderCount = 100
    static let documentCount = 300
    /// Not on the cluster at first: its topics are created while the relay runs. It is the
    /// 10,000th: librdkafka (2.0.2 and later) refuses a group member subscribed to more than
    /// 10,000 topics (`subscription_cnt > 10000` in its member metadata reader), and the
    /// relay's consumer subscribes to one `out` topic per agency: a relay started with one member
    /// warns from 9,000, and one started past 10,000 splits its subscription (docs/relay.md, "A
    /// subscription in shards").
    static let lateAgency = "000.00.00.H59"

    /// `000.00.00.H58` ... `000.99.99.H58`.
    static func code(_ index: Int) -> String {
        "000.\(String(format: "%02d", index / 100)).\(String(format: "%02d", index % 100)).H58"
    }

    @Test("10,000 agencies (the last added while the relay runs) on the embedded broker, one relay: documents between random agencies all delivered once and acked; the new agency picked up without a restart; figures printed")
    func tenThousandAgencies() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docrelay-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let all = (0..<Self.agencyCount).map(Self.code)
        let senders = (0..<Self.senderCount).map { Self.code($0 * (Self.agencyCount / Self.senderCount) + 37) }
        var figures: [String] = []
        func figure(_ text: String) {
            print("scale: \(text)")
            figures.append(text)
        }

        // A directory of 10,000 agencies: the senders and the late agency with keys here, the
        // others bound by a fingerprint each, as in a real directory.
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let pki = try await runDocRelay(
            ["pki", "init", "--out", folder.path, "--hub", "national", "--bootstrap-servers", cluster.bootstrapServers]
                + (senders + [Self.lateAgency]).flatMap { ["--agency", "\($0)@national"] })
        try #require(pki.exitCode == 0, "\(pki.standardError)")
        let directoryPath = folder.appendingPathComponent("directory.yaml").path
        var text = try String(contentsOfFile: directoryPath, encoding: .utf8)
        let keyed = Set(senders)
        for (index, code) in all.enumerated() where !keyed.contains(code) {
            text += "  - code: \"\(code)\"\n    name: \"Cơ quan \(code)\"\n    hub: \"national\"\n    certificates:\n"
            text += "      - sha256: \"\(String(repeating: "5c", count: 28))\(String(format: "%08x", index))\"\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: directoryPath))

        // Provisioned as `docrelay broker --provision` does (the embedded cluster has no CreateTopics).
        let directory = try Directory.load(contentsOf: directoryPath)
        let plan = try TopicPlan(directory: directory, hubID: "national")
        let late: Set = ["docrelay.out.\(Self.lateAgency)", "docrelay.in.\(Self.lateAgency)"]
        let provisionStart = ContinuousClock.now
        for topic in plan.topics where !late.contains(topic.name) { try cluster.createTopic(topic.name, partitions: 1) }
        figure("provision of \(plan.topics.count - 2) topics (\(plan.agencies.count - 1) agencies) on the embedded broker: \(ContinuousClock.now - provisionStart)")
        #expect(plan.topics.count == 2 * (Self.agencyCount + 1) + 8)

        // The consumer's session timeout is the relay's default (45 s), not the 6 s of the
        // small relay tests: librdkafka's group leader computes the cooperative-sticky
        // assignment of all 10,000 partitions on the thread that sends its heartbeats. On the
        // suite's loaded cores the debug relay took ~9 s, the embedded broker dropped it from
        // the group (SyncGroup: unknown member), and it joined and computed again, every 10 s,
        // until the rest of the suite ended (first delivery after 325-396 s), or for good with
        // more load.
        let configPath = folder.appendingPathComponent("hub.yaml").path
        try Data("""
            hub: national
            instance: relay-scale
            directory: directory.yaml
            trust:
              anchors: [ca.pem]
            identity:
              certificate: hubs/national.pem
              key: hubs/national.key
            admin:
              listen: 127.0.0.1:0

            """.utf8).write(to: URL(fileURLWithPath: configPath))

        let producer = try KafkaProducer(settings: KafkaProducerSettings(connection: cluster.settings), logger: testLogger)
        let admin = try await KafkaAdmin.connect(settings: cluster.settings, logger: testLogger)
        var identities: [String: SigningIdentity] = [:]
        func document(_ id: String, from: String, to: [String], value: [UInt8]) throws -> KafkaProducerRecord {
            let identity = try identities[from] ?? agencyIdentity(from, pki: folder)
            identities[from] = identity
            let signed = try DocumentSigner.sign(
                value, draft: DocumentDraft(id: id, from: from, to: to, contentType: "text/plain"), identity: identity)
            return KafkaProducerRecord(
                topic: "docrelay.out.\(from)", key: Array(id.utf8), value: value,
                headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
        /// Asked up to 3 times: the embedded broker, busy with the relay's start at 20,000
        /// topics, once did not answer within the request's 10 s (a clean-clone run failed).
        func inboxCount(_ code: String) async throws -> Int64 {
            var attempt = 1
            while true {
                do {
                    return try await admin.partitionOffsets(topic: "docrelay.in.\(code)").reduce(0) { $0 + $1.high - $1.low }
                } catch let error as KafkaError where error.isRetriable && attempt < 3 {
                    print("scale: inbox count of \(code), attempt \(attempt): \(error)")
                    attempt += 1
                }
            }
        }

        // The relay: ready once its partitions are assigned and a first document is delivered.
        let relayStart = ContinuousClock.now
        // At a lower priority (nice 10; `nice` execs the relay, so the pid is the relay's): its
        // minutes of work on 20,000 topics must not push other suites' timed promises (a
        // fatal-error exit within 10 s, an outage noticed within 18 s) past their bounds.
        let relay = try await ChildProcess(
            which("nice") ?? "/usr/bin/nice", ["-n", "10", DocRelayBinary.path, "relay", "--config", configPath, "--log-level", "info"])
        defer { if relay.isRunning { relay.signal(SIGKILL) } }
        var random = SeededGenerator(seed: 16)
        let firstTo = all[Int.random(in: 0..<all.count, using: &random)]
        _ = try await sendAll([try document("scale-first", from: senders[0], to: [firstTo], value: Array("Văn bản đầu".utf8))], with: producer)
        let address = try await relay.adminAddress()
        var assignedAfter: Duration?
        var readyAfter: Duration?
        func waiting() -> Bool {
            let elapsed = ContinuousClock.now - relayStart
            // 720 s: in the full suite the embedded broker (in this loaded test process) twice
            // left the relay's JoinGroup requests unanswered until librdkafka's 300 s request
            // timeout; the retry was answered at once (first delivery after 325 s and 396 s;
            // alone, 19 s). The issue's 30 s is judged on the release relay in BENCHMARKS.md.
            guard relay.isRunning, elapsed < .seconds(720) else { return false }
            guard let readyAfter else { return true }
            return assignedAfter == nil && elapsed < readyAfter + .seconds(30)
        }
        while waiting() {
            if assignedAfter == nil, let health = try? await fetch("http://\(address)/healthz"),
               health.body.contains("\"partitions\":\"\(Self.agencyCount)\"") {
                assignedAfter = ContinuousClock.now - relayStart
            }
            if readyAfter == nil, try await inboxCount(firstTo) >= 1 { readyAfter = ContinuousClock.now - relayStart }
            try await Task.sleep(for: .milliseconds(250))
        }
        let ready = try #require(readyAfter, "no first delivery within 720 s: \(relay.crashSummary)")
        figure("relay: \(Self.agencyCount) partitions assigned after \(assignedAfter.map { "\($0)" } ?? "?"), first document delivered after \(ready) (issue: under 30 s)")

        // Documents between random agencies: from one of the senders to 1-3 of all 10,000, at
        // about 100 a second.
        var expected: [(id: String, from: String, to: String)] = []
        var records: [KafkaProducerRecord] = []
        for index in 0..<Self.documentCount {
            let from = senders[Int.random(in: 0..<senders.count, using: &random)]
            var to: [String] = []
            while to.count < Int.random(in: 1...3, using: &random) {
                let code = all[Int.random(in: 0..<all.count, using: &random)]
                if code != from && !to.contains(code) { to.append(code) }
            }
            let id = "scale-\(index)"
            records.append(try document(id, from: from, to: to, value: Array("Văn bản \(index) từ \(from)".utf8) + random.bytes(400)))
            expected += to.map { (id, from, $0) }
        }
        let sendStart = ContinuousClock.now
        for start in stride(from: 0, to: records.count, by: 10) {
            _ = try await sendAll(Array(records[start..<min(start + 10, records.count)]), with: producer)
            try await Task.sleep(for: .milliseconds(100))
        }
        figure("\(records.count) documents (\(expected.count) deliveries) sent in \(ContinuousClock.now - sendStart)")

        // Every delivery once, every ack back: read the inboxes involved.
        let inboxes = Set(expected.map(\.to) + expected.map(\.from)).map { "docrelay.in.\($0)" }
        let reader = try KafkaConsumer(settings: .test(cluster, group: uniqueName("scale-reader")), logger: testLogger)
        try reader.subscribe(topics: inboxes)
        var read = try await reader.take(2 * expected.count, within: .seconds(480))
        read += try await reader.extra(during: .seconds(3))
        await reader.close()
        var delivered: [String: Int] = [:]
        var acked: Set<String> = []
        for record in read {
            let inbox = String(record.topic.dropFirst("docrelay.in.".count))
            if record.header(HeaderName.kind) == "ack" {
                let value = try JSONSerialization.jsonObject(with: Data(record.value)) as? [String: Any]
                if value?["outcome"] as? String == "delivered", let recipient = value?["recipient"] as? String,
                   let ref = record.header(HeaderName.ref) {
                    acked.insert("\(ref) \(recipient) \(inbox)")
                }
            } else {
                delivered["\(record.stringKey) \(inbox)", default: 0] += 1
            }
        }
        let missing = expected.filter { delivered["\($0.id) \($0.to)"] == nil }
        let twice = expected.filter { (delivered["\($0.id) \($0.to)"] ?? 0) > 1 }
        let unacked = expected.filter { !acked.contains("\($0.id) \($0.to) \($0.from)") }
        figure("deliveries: \(expected.count) expected, \(expected.count - missing.count) delivered, \(twice.count) twice, \(expected.count - unacked.count) acked to their sender")
        #expect(missing.isEmpty, "missing: \(missing.prefix(5))")
        #expect(twice.isEmpty)
        #expect(unacked.isEmpty, "not acked: \(unacked.prefix(5))")

        // A new agency's topics, created while the relay runs, are read without a restart.
        let lateStart = ContinuousClock.now
        for name in late.sorted() { try cluster.createTopic(name, partitions: 1) }
        let lateTo = all[Int.random(in: 0..<all.count, using: &random)]
        let lateBefore = try await inboxCount(lateTo)
        var lateDelivered = false
        // Its first document may come before the relay sees the topic: it is read from the
        // start then. One document, sent once, must arrive.
        _ = try await sendAll([try document("scale-late", from: Self.lateAgency, to: [lateTo], value: Array("Cơ quan mới".utf8))], with: producer)
        _ = try await sendAll([try document("scale-to-late", from: senders[1], to: [Self.lateAgency], value: Array("Chào".utf8))], with: producer)
        // The bound tells "never" from slow: the embedded broker holds every rejoin of the group
        // for about its session timeout (45 s here, the relay's default; one member at 3,000
        // topics took 46.5 s to get a new topic), and the suite's load multiplies the rest (184,
        // 236 and over 300 s in three clean-clone runs).
        var fromLateAfter: Duration?
        var toLateAfter: Duration?
        while !lateDelivered, ContinuousClock.now - lateStart < .seconds(900) {
            if fromLateAfter == nil, try await inboxCount(lateTo) > lateBefore { fromLateAfter = ContinuousClock.now - lateStart }
            if toLateAfter == nil, try await inboxCount(Self.lateAgency) >= 1 { toLateAfter = ContinuousClock.now - lateStart }
            lateDelivered = fromLateAfter != nil && toLateAfter != nil
            if !lateDelivered { try await Task.sleep(for: .milliseconds(500)) }
        }
        figure("a new agency's topics created while the relay runs: its document delivered after \(fromLateAfter.map { "\($0)" } ?? "never"), one to it after \(toLateAfter.map { "\($0)" } ?? "never")")
        #expect(lateDelivered, "the new agency's documents were not delivered within 900 s")
        guard relay.isRunning else {
            let ended = try await relay.wait(upTo: .seconds(5))
            let lines = ended.standardError.split(separator: "\n").suffix(60).map { $0.prefix(400) }.joined(separator: "\n")
            Issue.record("the relay ended, exit \(ended.exitCode): \(lines)")
            return
        }
        if !lateDelivered {
            print("relay log: \(relay.standardError.split(separator: "\n").suffix(60).map { $0.prefix(400) }.joined(separator: "\n"))")
        }

        // At rest: memory, metrics, the lag cycle.
        try await Task.sleep(for: .seconds(20))
        let rss = try residentMebibytes(relay.processIdentifier)
        figure("relay RSS at rest: \(rss) MiB (debug build; issue: at most 256, judged on the release build in BENCHMARKS.md)")
        // This is the debug binary: 272 MiB measured here where the release binary of the
        // benchmark held 199 MiB at rest with the same 10,000 partitions. The bound catches a
        // regression (the relay held 139 MiB at 2,589 partitions before issue 16), not the
        // target.
        #expect(rss <= 384)
        let metrics = try await fetch("http://\(address)/metrics")
        let lagSeries = metrics.body.split(separator: "\n").filter { $0.hasPrefix("docrelay_consumer_lag{") }
        let series = metrics.body.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.count
        figure("/metrics: \(series) series, \(lagSeries.count) of them docrelay_consumer_lag")
        #expect(lagSeries.count <= 10, "\(lagSeries)")
        #expect(!metrics.body.contains(".H58"), "no agency code is a label value")
        #expect(series < 400)
        let lagLine = relay.standardError.split(separator: "\n").first { $0.contains("Lag measured") }
        let lagMilliseconds = lagLine.flatMap { $0.split(separator: " ").first { $0.hasPrefix("docrelay.lag.milliseconds=") } }
        figure("a lag measurement of \(Self.agencyCount + 5) topics: \(lagMilliseconds.map { $0.dropFirst("docrelay.lag.milliseconds=".count) + " ms" } ?? "not logged")")
        #expect(lagLine != nil, "the first lag measurement is logged")
        #expect(relay.standardError.contains("Start offsets of a large assignment looked up in two requests"))
        #expect(relay.standardError.contains("read by one consumer group member: librdkafka refuses a member subscribed to more than 10000 topics"), "the limit is near: said")

        // SIGTERM.
        let stopStart = ContinuousClock.now
        relay.signal(SIGTERM)
        let stopped = try await relay.wait(upTo: .seconds(60))
        let stopTime = ContinuousClock.now - stopStart
        figure("SIGTERM to exit: \(stopTime) (issue: within 10 s)")
        #expect(stopped.exitCode == 0, "\(stopped.standardError.suffix(2000))")
        #expect(stopTime < .seconds(30))

        // `docrelay provision` on the provisioned cluster: everything exists, nothing is asked for.
        let provisionAgain = ContinuousClock.now
        let again = try await runDocRelay(
            ["provision", "--config", configPath, "--partitions", "1", "--replication", "1", "--connect-timeout", "5"], upTo: .seconds(120))
        figure("docrelay provision again (every topic exists): exit \(again.exitCode) after \(ContinuousClock.now - provisionAgain)")
        #expect(again.exitCode == 0, "\(again.standardError.suffix(2000))")
        #expect(again.standardOutput.contains("0 created, \(plan.topics.count) existed already"))
        await producer.close()
        print("scale figures:\n" + figures.map { "  " + $0 }.joined(separator: "\n"))
    }

    private func fetch(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}

/// A process's resident memory (VmRSS), in MiB.
func residentMebibytes(_ pid: Int32) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
    else { throw HarnessError("no VmRSS in /proc/\(pid)/status") }
    return kilobytes / 1024
}
