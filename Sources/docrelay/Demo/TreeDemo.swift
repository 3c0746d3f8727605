import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import DocRelaySigning
import Foundation
import Logging
import ServiceLifecycle

/// The second part of `docrelay demo`: three hubs, each on a Kafka of its own (national, Tiền
/// Giang h58, Tây Ninh h53), their relays forwarding along the tree. A commune of Tiền Giang
/// writes to a department of Tây Ninh and to a ministry; the acks come back; the department
/// answers with a status; the trace follows the document through every hub.
struct TreeDemo {
    let folder: URL
    let logger: Logger

    static let commune = "000.07.12.H58"       // UBND xã Hậu Thành, Tiền Giang (level 3)
    static let department = "000.00.32.H53"    // Sở Nội vụ tỉnh Tây Ninh (level 2)
    static let ministry = "000.00.00.G17"      // Bộ Thông tin và Truyền thông (level 1)

    func run() async throws {
        let hubs = DevelopmentTopology.sampleHubs
        var clusters: [String: EmbeddedKafkaCluster] = [:]
        for hub in hubs {
            do {
                clusters[hub.id] = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
            } catch {
                throw CommandFailure.operation("cannot start an embedded broker: \(error)")
            }
        }
        defer { withExtendedLifetime(clusters) {} }
        try DevelopmentTopology.write(
            hubs: hubs, agencies: DevelopmentTopology.sampleAgencies, into: folder, bootstrap: "",
            hubBootstrap: clusters.mapValues(\.bootstrapServers))
        step("Three hubs, each on an embedded Kafka of its own: \(hubs.map { "\($0.id) at \(clusters[$0.id]!.bootstrapServers)" }.joined(separator: ", "))")
        detail("national is the root; h58 (Tiền Giang) and h53 (Tây Ninh) are its children. PKI and directory in \(folder.path)")

        // Topics and a relay per hub, in this process.
        var relays: [(ServiceGroup, Task<Void, any Error>)] = []
        var stories: [String: DemoStory] = [:]
        var readers: [String: KafkaTopicReader] = [:]
        var producers: [KafkaProducer] = []
        var relayLogger = logger
        relayLogger.logLevel = max(logger.logLevel, .error)
        var identities: [String: SigningIdentity] = [:]
        for agency in DevelopmentTopology.sampleAgencies {
            identities[agency.code] = try SigningIdentity.load(
                certificateFile: folder.appendingPathComponent("agencies/\(agency.code).pem").path,
                keyFile: folder.appendingPathComponent("agencies/\(agency.code).key").path)
        }
        for hub in hubs {
            let path = folder.appendingPathComponent("\(hub.id).yaml").path
            try Data("""
                hub: \(hub.id)
                instance: demo
                directory: directory.yaml
                trust: { anchors: [ca.pem] }
                identity: { certificate: hubs/\(hub.id).pem, key: hubs/\(hub.id).key }
                consumer: { session-timeout: 6s }
                retry: { tiers: [1s, 2s], attempt-timeout: 2s }
                """.utf8).write(to: URL(fileURLWithPath: path))
            let setup = try RelaySetup.resolve(try RelayConfiguration.load(contentsOf: path))
            let plan = try TopicPlan(directory: setup.directory.current, hubID: hub.id, retryTiers: setup.configuration.retryTiers)
            for topic in plan.topics { try clusters[hub.id]!.createTopic(topic.name, partitions: 3) }
            let group = ServiceGroup(configuration: .init(
                services: [RelayService(setup: setup, logger: relayLogger)], gracefulShutdownSignals: [], logger: relayLogger))
            relays.append((group, Task { try await group.run() }))
            let producer = try await KafkaProducer.connect(settings: KafkaProducerSettings(connection: setup.kafka), logger: logger)
            let reader = try await KafkaTopicReader.connect(settings: setup.kafka, logger: logger)
            producers.append(producer)
            readers[hub.id] = reader
            stories[hub.id] = DemoStory(topics: setup.topics, producer: producer, reader: reader, identities: identities)
        }
        step("Started the relays of national, h58 and h53, each with the topics its part of the directory implies")
        let home: [String: String] = Dictionary(uniqueKeysWithValues: DevelopmentTopology.sampleAgencies.map { ($0.code, $0.hub) })
        func story(of code: String) -> DemoStory { stories[home[code] ?? "national"]! }

        // A commune of Tiền Giang writes to a department of Tây Ninh and to a ministry.
        let id = "HauThanh-45-\(UUID().uuidString.prefix(4).lowercased())"
        step("UBND xã Hậu Thành (Tiền Giang, level 3) sends a report (\(id)) to Sở Nội vụ Tây Ninh and to Bộ Thông tin và Truyền thông")
        try await story(of: Self.commune).send(
            "Báo cáo số 45/BC-UBND về công tác cải cách hành chính", id: id, from: Self.commune, to: [Self.department, Self.ministry])
        for recipient in [Self.department, Self.ministry] {
            let record = try await story(of: recipient).waitForDocument(id, in: recipient)
            let path = record.headers.values(named: HeaderName.hop).compactMap { $0 }.map {
                String(String(decoding: $0, as: UTF8.self).split(separator: "/").first ?? "")
            }
            detail("✓ delivered into \(record.topic) on hub \(home[recipient] ?? ""), by way of \(path.joined(separator: " → "))")
        }
        for ack in try await story(of: Self.commune).waitForAcks(id, to: Self.commune, count: 2) {
            detail("✓ ack back to the commune on h58: \(ack.outcome.rawValue) to \(ack.recipient), signed by hub:\(ack.hub)")
        }

        // The department answers with a business status; it takes the way back.
        step("Sở Nội vụ Tây Ninh answers with status 03 (accepted and registered)")
        let status = try EdXMLStatusWriter.status(
            from: EdXMLOrganization(organId: Self.department, organName: "Sở Nội vụ tỉnh Tây Ninh"),
            responseFor: EdXMLResponseFor(organId: Self.commune, documentId: id),
            code: .acceptedAndRegistered, description: "Đã vào sổ văn bản đến", staff: nil, timestamp: Date())
        let statusID = "status-\(id)"
        let signed = try DocumentSigner.sign(
            status, draft: DocumentDraft(id: statusID, kind: .status, from: Self.department, to: [Self.commune], ref: id,
                                         contentType: "application/edxml+xml"),
            identity: identities[Self.department]!)
        _ = try await stories["h53"]!.producer.send(KafkaProducerRecord(
            topic: stories["h53"]!.topics.out(Self.department), key: Array(statusID.utf8), value: status,
            headers: signed.headers.map { KafkaHeader(name: $0.name, value: $0.value) }))
        let answer = try await story(of: Self.commune).waitForDocument(statusID, in: Self.commune)
        let header = try EdXMLReader.readHeader(answer.value)
        detail("✓ status \(header.statusCode?.description ?? "?") from \(Self.department) in \(answer.topic) on h58: \"\(header.statusDescription ?? "")\"")

        step("The journey of \(id) through the three hubs, as `docrelay trace \(id) --config DIR/national.yaml` shows it:")
        var journey = DocumentJourney(id: id)
        for hub in hubs {
            var operatorHub = OperatorHub(kafka: clusters[hub.id]!.settings, topics: stories[hub.id]!.topics)
            operatorHub.hubID = hub.id
            journey.add(try await HubRecords.read(operatorHub, with: readers[hub.id]!), from: hub.id)
        }
        for line in journey.steps.map(\.line) { detail(line) }

        for (group, task) in relays {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
        for producer in producers { await producer.close() }
        for reader in readers.values { await reader.close() }
    }
}
