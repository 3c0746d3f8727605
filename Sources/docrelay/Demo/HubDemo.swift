import DocRelay
import DocRelayCore
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging
import ServiceLifecycle

/// The story `docrelay demo` tells, on one hub (the national one) with agencies at levels 1 to 4.
struct HubDemo {
    let settings: KafkaSettings
    /// The embedded cluster, when the demo runs on one (topics are then created directly).
    let cluster: EmbeddedKafkaCluster?
    let folder: URL
    let logger: Logger

    static let government = "000.00.00.G22"     // Văn phòng Chính phủ (level 1)
    static let province = "000.00.00.H58"       // UBND tỉnh Tiền Giang (level 1)
    static let district = "000.00.12.H58"       // UBND huyện Cái Bè (level 2)
    static let commune = "000.07.12.H58"        // UBND xã Hậu Thành (level 3): not connected at first
    static let department = "000.00.32.H53"    // Sở Nội vụ tỉnh Tây Ninh (level 2)

    func run() async throws {
        // 1. The hub: PKI, directory, topics, configuration.
        let agencies: [DevelopmentTopology.AgencySpec] = [
            .init(code: Self.government, hub: "national", name: "Văn phòng Chính phủ"),
            .init(code: Self.province, hub: "national", name: "UBND tỉnh Tiền Giang"),
            .init(code: Self.district, hub: "national", name: "UBND huyện Cái Bè"),
            .init(code: Self.commune, hub: "national", name: "UBND xã Hậu Thành"),
            .init(code: Self.department, hub: "national", name: "Sở Nội vụ tỉnh Tây Ninh"),
        ]
        try DevelopmentTopology.write(
            hubs: [.init(id: "national", parent: nil)], agencies: agencies, into: folder,
            bootstrap: settings.bootstrapServers.joined(separator: ","))
        step("Development PKI and directory in \(folder.path): a CA, the national hub's relay certificate, \(agencies.count) agencies")
        for agency in agencies { detail("\(agency.code)  \(agency.name)") }
        let configurationPath = folder.appendingPathComponent("hub.yaml").path
        try Data("""
            hub: national
            instance: demo
            directory: directory.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: hubs/national.pem, key: hubs/national.key }
            consumer: { session-timeout: 6s }
            retry: { tiers: [1s, 2s], attempt-timeout: 2s }
            """.utf8).write(to: URL(fileURLWithPath: configurationPath))
        let setup = try RelaySetup.resolve(try RelayConfiguration.load(contentsOf: configurationPath))
        let topics = setup.topics
        var plan = try TopicPlan(directory: setup.directory.current, hubID: "national", retryTiers: setup.configuration.retryTiers)
            .topics.map(\.name)
        plan.removeAll { $0 == topics.inbox(Self.commune) }
        try await createTopics(plan)
        step("Created the \(plan.count) topics the directory implies, except \(topics.inbox(Self.commune)): the commune is not connected yet")

        // 2. The relay, in this process; what it refuses is shown below rather than logged.
        var relayLogger = logger
        relayLogger.logLevel = max(logger.logLevel, .error)
        let relay = ServiceGroup(configuration: .init(
            services: [RelayService(setup: setup, logger: relayLogger)], gracefulShutdownSignals: [], logger: relayLogger))
        let running = Task { try await relay.run() }
        step("Started the relay of the national hub (retry tiers 1s and 2s for the demo; the contract's are 5s, 1m, 10m, 1h)")
        defer { running.cancel() }

        let producer = try await KafkaProducer.connect(settings: KafkaProducerSettings(connection: settings), logger: logger)
        let reader = try await KafkaTopicReader.connect(settings: settings, logger: logger)
        let agencyKeys = try Dictionary(uniqueKeysWithValues: agencies.map { agency in
            (agency.code, try SigningIdentity.load(
                certificateFile: folder.appendingPathComponent("agencies/\(agency.code).pem").path,
                keyFile: folder.appendingPathComponent("agencies/\(agency.code).key").path))
        })
        let story = DemoStory(topics: topics, producer: producer, reader: reader, identities: agencyKeys)

        // 3. A document delivered to two recipients, acknowledged.
        let letterID = "VPCP-7816-\(UUID().uuidString.prefix(4).lowercased())"
        step("Văn phòng Chính phủ sends a signed letter (\(letterID)) to UBND tỉnh Tiền Giang and Sở Nội vụ Tây Ninh")
        try await story.send("Công văn 7816/VPCP-TTĐT: V/v kết nối, liên thông phần mềm quản lý văn bản",
                             id: letterID, from: Self.government, to: [Self.province, Self.department])
        for recipient in [Self.province, Self.department] {
            let record = try await story.waitForDocument(letterID, in: recipient)
            detail("✓ delivered into \(record.topic) (\(record.value.count) bytes, signature verified; \(record.headers.string(named: HeaderName.hop) ?? ""))")
        }
        for ack in try await story.waitForAcks(letterID, to: Self.government, count: 2) {
            detail("✓ ack to \(Self.government) in \(topics.inbox(Self.government)): \(ack.outcome.rawValue) to \(ack.recipient), signed by hub:\(ack.hub)")
        }

        // 4. A document tampered with after signing: refused, with its reason; its sender told.
        let tamperedID = "CaiBe-12-\(UUID().uuidString.prefix(4).lowercased())"
        step("UBND huyện Cái Bè sends a report (\(tamperedID)) that is altered on the way, after it was signed")
        try await story.send("Báo cáo số 12/BC-UBND", id: tamperedID, from: Self.district, to: [Self.province], tamper: true)
        let refused = try await story.waitForDeadLetter(tamperedID)
        detail("✗ dead-lettered in \(topics.deadLetters) as \(refused.errorClass): \(refused.reason)")
        for ack in try await story.waitForAcks(tamperedID, to: Self.district, count: 1) {
            detail("✓ negative ack to \(Self.district): \(ack.outcome.rawValue) (\(ack.reason ?? ""))")
        }

        // 5. A recipient not connected yet: retried through the tiers, then dead-lettered.
        let noticeID = "VPCP-notice-\(UUID().uuidString.prefix(4).lowercased())"
        step("Văn phòng Chính phủ sends a notice (\(noticeID)) to UBND xã Hậu Thành, whose inbox does not exist yet")
        try await story.send("Thông báo về lịch tiếp công dân", id: noticeID, from: Self.government, to: [Self.commune])
        let exhausted = try await story.waitForDeadLetter(noticeID, within: .seconds(60))
        detail("↻ retried in \(setup.configuration.retryTiers.map { topics.retry($0) }.joined(separator: ", then "))")
        detail("✗ dead-lettered as \(exhausted.errorClass): \(exhausted.reason.prefix(160))")
        for ack in try await story.waitForAcks(noticeID, to: Self.government, count: 1) {
            detail("✓ negative ack to \(Self.government): \(ack.outcome.rawValue) for \(ack.recipient)")
        }

        // 6. The commune connects; the operator replays the dead letter: delivered once.
        try await createTopics([topics.inbox(Self.commune)])
        step("The commune connects (its inbox is created); the operator replays the dead letter, as `docrelay dlq replay \(noticeID)` does")
        var hub = OperatorHub(kafka: settings, topics: topics, retryTiers: setup.configuration.retryTiers)
        hub.hubID = "national"
        let records = try await HubRecords.read(hub, with: reader)
        let entries = records.deadLetters.filter { $0.letter.id == noticeID }
        for outcome in await DeadLetterReplay(hub: hub).run(entries, producer: producer) {
            if case .replayed(_, let record, _) = outcome {
                detail("↺ replayed into \(record.topic)")
            }
        }
        let delivered = try await story.waitForDocument(noticeID, in: Self.commune, within: .seconds(30))
        detail("✓ delivered into \(delivered.topic), once")
        for ack in try await story.waitForAcks(noticeID, to: Self.government, count: 2) where ack.outcome == .delivered {
            detail("✓ ack to \(Self.government): delivered to \(ack.recipient)")
        }

        // 7. The journey of the first letter, from the events topic.
        step("The journey of \(letterID), as `docrelay trace \(letterID)` shows it:")
        var journey = DocumentJourney(id: letterID)
        journey.add(try await HubRecords.read(hub, with: reader), from: "national")
        for line in journey.steps.map(\.line) { detail(line) }

        await relay.triggerGracefulShutdown()
        _ = try? await running.value
        await producer.close()
        await reader.close()
    }

    /// Creates the topics not there yet: directly in the embedded cluster, else with CreateTopics.
    private func createTopics(_ names: [String]) async throws {
        if let cluster {
            for name in names { try cluster.createTopic(name, partitions: 3) }
        } else {
            let admin = try await KafkaAdmin.connect(settings: settings, logger: logger)
            let existing = Set(try await admin.listTopics().map(\.name))
            try await admin.createTopics(names.filter { !existing.contains($0) }.map {
                KafkaTopicSpec(name: $0, partitions: 3, replicationFactor: 1)
            })
        }
    }
}
