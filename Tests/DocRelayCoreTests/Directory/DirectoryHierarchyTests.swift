import DocRelayCore
import Testing

@Suite("Directory: parents, hub paths and certificate bindings")
struct DirectoryHierarchyTests {
    let directory: Directory

    init() throws {
        directory = try Directory.parse(SampleDirectory.yaml, path: "dir.yaml")
    }

    @Test("Parents: the override, else the nearest declared default parent, nil at the top")
    func parents() throws {
        #expect(directory.parent(of: try .qcvn("000.21.32.H53"))?.rawValue == "000.00.32.H53")
        #expect(directory.parent(of: try .qcvn("000.00.32.H53"))?.rawValue == "000.00.00.H53")
        #expect(directory.parent(of: try .qcvn("000.00.00.H53")) == nil)
        // Overrides win over the code's own hierarchy.
        #expect(directory.parent(of: try .qcvn("000.00.07.H53"))?.rawValue == "000.00.00.H58")
        #expect(directory.parent(of: try AgencyCode(parsing: "vxp.saas.03"))?.rawValue == "000.00.00.H58")
        // Undeclared ancestors are skipped; undeclared codes still have a parent.
        #expect(directory.parent(of: try .qcvn("000.21.99.H53"))?.rawValue == "000.00.00.H53")
        #expect(directory.parent(of: try .qcvn("000.21.32.H01")) == nil)
        #expect(directory.parent(of: try AgencyCode(parsing: "vxp.saas.99")) == nil)
    }

    @Test("Hub tree: ancestors, children, and paths up then down")
    func hubPaths() throws {
        let national = try #require(directory.hub(id: "national"))
        let h58 = try #require(directory.hub(id: "h58"))
        let h53 = try #require(directory.hub(id: "h53"))
        #expect(directory.ancestors(of: h58).map(\.id) == ["national"])
        #expect(directory.ancestors(of: national).isEmpty)
        #expect(directory.children(of: national).map(\.id) == ["h58", "h53"])
        #expect(directory.children(of: h58).isEmpty)
        #expect(directory.path(fromHub: h58, toHub: h53).map(\.id) == ["h58", "national", "h53"])
        #expect(directory.path(fromHub: national, toHub: h53).map(\.id) == ["national", "h53"])
        #expect(directory.path(fromHub: h53, toHub: national).map(\.id) == ["h53", "national"])
        #expect(directory.path(fromHub: h58, toHub: h58).map(\.id) == ["h58"])
        #expect(directory.nextHub(from: h58, toward: h53)?.id == "national")
        #expect(directory.nextHub(from: h58, toward: h58) == nil)
        let stranger = Hub(id: "h99", name: "h99", parentID: nil, connection: HubConnection(bootstrapServers: ["x:1"]))
        #expect(directory.path(fromHub: h58, toHub: stranger).isEmpty)
    }

    @Test("A deeper tree routes through the nearest common ancestor")
    func deeperTree() throws {
        let yaml = """
        hubs:
          - { id: national, kafka: { bootstrap: "n:1" } }
          - { id: a, parent: national, kafka: { bootstrap: "a:1" } }
          - { id: a1, parent: a, kafka: { bootstrap: "a1:1" } }
          - { id: a2, parent: a, kafka: { bootstrap: "a2:1" } }
          - { id: a11, parent: a1, kafka: { bootstrap: "a11:1" } }
        agencies: []
        """
        let tree = try Directory.parse(yaml, path: "tree.yaml")
        let a11 = try #require(tree.hub(id: "a11"))
        let a2 = try #require(tree.hub(id: "a2"))
        #expect(tree.path(fromHub: a11, toHub: a2).map(\.id) == ["a11", "a1", "a", "a2"])
        #expect(tree.ancestors(of: a11).map(\.id) == ["a1", "a", "national"])
    }

    @Test("Certificates are bound by fingerprint in any case, or by exact subject with its issuer")
    func bindings() throws {
        let g22 = try AgencyCode.qcvn("000.00.00.G22")
        let h58 = try AgencyCode.qcvn("000.00.00.H58")
        let ca = "CN=Cục Chứng thực số,O=Ban Cơ yếu Chính phủ,C=VN"
        #expect(directory.isBound(g22, fingerprint: SampleDirectory.fingerprintG22, subject: nil, issuer: nil))
        #expect(directory.isBound(g22, fingerprint: SampleDirectory.fingerprintG22.uppercased(), subject: nil, issuer: nil))
        #expect(!directory.isBound(h58, fingerprint: SampleDirectory.fingerprintG22, subject: nil, issuer: nil))
        #expect(directory.isBound(g22, fingerprint: "00", subject: "  CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN ", issuer: ca))
        #expect(!directory.isBound(g22, fingerprint: "00", subject: "cn=000.00.00.G22,O=Văn phòng Chính phủ,C=VN", issuer: ca))
        #expect(!directory.isBound(g22, fingerprint: "00", subject: "CN=000.00.00.G22", issuer: ca))
        // The right subject from another CA (another anchor of the hub) is not the bound certificate.
        #expect(!directory.isBound(g22, fingerprint: "00", subject: "CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN",
                                   issuer: "CN=Other CA,O=Elsewhere,C=VN"))
        #expect(!directory.isBound(g22, fingerprint: "00", subject: "CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN", issuer: nil))
        #expect(!directory.isBound(try .qcvn("000.00.00.G99"), fingerprint: SampleDirectory.fingerprintG22, subject: nil, issuer: nil))
        #expect(directory.agencies(boundToFingerprint: SampleDirectory.fingerprintH58.uppercased()).map(\.code) == [h58])
        #expect(directory.agencies(boundToFingerprint: String(repeating: "0", count: 64)).isEmpty)
    }
}
