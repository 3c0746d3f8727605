import DocRelayCore
import Foundation
import Testing

@Suite("Directory: a good file read into hubs, agencies and the hierarchy")
struct DirectoryLoadingTests {
    let directory: Directory

    init() throws {
        directory = try Directory.parse(SampleDirectory.yaml, path: "/etc/docrelay/dir.yaml")
    }

    @Test("Hubs keep their ids, names, parents and Kafka connections")
    func hubs() throws {
        #expect(directory.hubs.map(\.id) == ["national", "h58", "h53"])
        let national = try #require(directory.hub(id: "national"))
        #expect(national.name == "Trục liên thông quốc gia")
        #expect(national.parentID == nil)
        #expect(national.isRoot)
        #expect(national.connection.bootstrapServers == ["kafka-1:19092", "kafka-2:19092"])
        #expect(national.connection.bootstrap == "kafka-1:19092,kafka-2:19092")
        #expect(national.connection.propertiesFile == "/etc/docrelay/kafka/tls.properties")
        #expect(national.connection.properties == ["sasl.username": "relay", "linger.ms": "5"])
        #expect(national.connection.topicPrefix == "docrelay")
        let h58 = try #require(directory.hub(id: "h58"))
        #expect(h58.parentID == "national")
        #expect(h58.connection.bootstrapServers == ["kafka-h58:9092"])
        #expect(h58.connection.topicPrefix == "tg")
        #expect(h58.connection.propertiesFile == nil)
        #expect(directory.hub(id: "h53")?.name == "h53")
        #expect(directory.hub(id: "h99") == nil)
        #expect(directory.root.id == "national")
    }

    @Test("Agencies keep their codes, names, hubs, overrides and certificates")
    func agencies() throws {
        #expect(directory.agencies.count == 7)
        let g22 = try #require(directory.agency(AgencyCode.qcvn("000.00.00.G22")))
        #expect(g22.name == "Văn phòng Chính phủ")
        #expect(g22.hubID == "national")
        #expect(g22.parentOverride == nil)
        #expect(g22.certificateFingerprints == [SampleDirectory.fingerprintG22])
        #expect(g22.certificateSubjects == [SubjectBinding(
            subject: "CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN", issuer: "CN=Cục Chứng thực số,O=Ban Cơ yếu Chính phủ,C=VN")])
        // Fingerprints are stored in lowercase whatever the file's case.
        #expect(directory.agency(named: "000.00.00.H58")?.certificateFingerprints == [SampleDirectory.fingerprintH58])
        let saas = try #require(directory.agency(named: "vxp.saas.03"))
        #expect(saas.hubID == "h58")
        #expect(saas.parentOverride?.rawValue == "000.00.00.H58")
    }

    @Test("A QCVN agency without a hub lives where its nearest ancestor lives")
    func inheritedHubs() throws {
        #expect(directory.agency(named: "000.00.32.H53")?.hubID == "h53")
        #expect(directory.agency(named: "000.21.32.H53")?.hubID == "h53")
        // The override is its parent, so it lives at the parent's hub.
        #expect(directory.agency(named: "000.00.07.H53")?.hubID == "h58")
        #expect(directory.homeHub(of: try .qcvn("000.21.32.H53"))?.id == "h53")
        #expect(directory.homeHub(of: try .qcvn("000.00.99.H53")) == nil)
    }

    @Test("Lookups by text: undeclared codes, QCVN or not, find nothing")
    func lookupsByText() {
        #expect(directory.agency(named: "000.00.00.G22")?.code.rawValue == "000.00.00.G22")
        #expect(directory.agency(named: "000.00.00.G23") == nil)
        #expect(directory.agency(named: "vxp.saas.04") == nil)
        #expect(directory.agency(named: "not a code") == nil)
        #expect(directory.agency(named: "000.00.00.g22") == nil)
    }

    @Test("Loading from a file resolves properties-file next to it")
    func loadFromFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("directory.yaml")
        try Data(SampleDirectory.yaml.utf8).write(to: file)
        let loaded = try Directory.load(contentsOf: file.path)
        #expect(loaded.root.connection.propertiesFile == folder.appendingPathComponent("kafka/tls.properties").standardizedFileURL.path)
        #expect(loaded.agencies == directory.agencies)
    }

    @Test("A directory built in code is checked like a file")
    func builtInCode() throws {
        let connection = HubConnection(bootstrapServers: ["localhost:9092"])
        let built = try Directory(
            hubs: [Hub(id: "national", name: "National", parentID: nil, connection: connection)],
            agencies: [Agency(code: .qcvn("000.00.00.G22"), name: "VPCP", hubID: "national",
                              certificateFingerprints: [SampleDirectory.fingerprintG22.uppercased()])])
        #expect(built.root.id == "national")
        #expect(built.agencies(boundToFingerprint: SampleDirectory.fingerprintG22).map(\.code.rawValue) == ["000.00.00.G22"])
        let error = #expect(throws: ConfigurationError.self) {
            try Directory(hubs: [Hub(id: "national", name: "N", parentID: nil, connection: connection)],
                          agencies: [Agency(code: .qcvn("000.00.00.G22"), name: "VPCP", hubID: "h99")])
        }
        #expect(error?.description == "(in memory): agencies[0] (000.00.00.G22): key 'hub': expected one of the declared hubs (national), not 'h99'")
    }

    @Test("An empty list of agencies is allowed")
    func noAgencies() throws {
        let directory = try Directory.parse("hubs:\n  - id: national\n    kafka: { bootstrap: k:9092 }\nagencies: []\n", path: "d.yaml")
        #expect(directory.agencies.isEmpty)
        #expect(directory.root.id == "national")
    }
}
