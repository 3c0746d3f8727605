@testable import DocRelay
import DocRelayCore
import Testing

@Suite("Routing along the hub tree")
struct RoutingTests {
    static let directory: Directory? = try? Directory.parse("""
        hubs:
          - { id: national, kafka: { bootstrap: "n:9092" } }
          - { id: h58, parent: national, kafka: { bootstrap: "a:9092" } }
          - { id: d12, parent: h58, kafka: { bootstrap: "d:9092" } }
          - { id: h53, parent: national, kafka: { bootstrap: "b:9092" } }
        agencies:
          - { code: 000.00.00.G22, name: VPCP, hub: national }
          - { code: 000.00.00.H58, name: Tiền Giang, hub: h58 }
          - { code: 000.07.12.H58, name: Hậu Thành, hub: d12 }
          - { code: 000.00.32.H53, name: Sở Nội vụ, hub: h53 }
        """, path: "directory.yaml")

    @Test("Home here: delivered; below: down to the child whose subtree holds it; elsewhere: up")
    func routes() throws {
        let directory = try #require(Self.directory)
        let fromH58 = RecordHandler.route(["000.00.00.H58", "000.07.12.H58", "000.00.32.H53", "000.00.00.G22"], from: "h58", in: directory)
        #expect(fromH58.local == ["000.00.00.H58"])
        #expect(fromH58.forward.map(\.hub) == ["d12", "national"])
        #expect(fromH58.forward.first { $0.hub == "national" }?.codes == ["000.00.32.H53", "000.00.00.G22"])
        #expect(fromH58.unroutable.isEmpty)

        let fromNational = RecordHandler.route(["000.07.12.H58", "000.00.32.H53"], from: "national", in: directory)
        #expect(fromNational.local.isEmpty)
        #expect(fromNational.forward.map(\.hub) == ["h53", "h58"])

        let fromD12 = RecordHandler.route(["000.00.32.H53"], from: "d12", in: directory)
        #expect(fromD12.forward.map(\.hub) == ["h58"])
    }

    @Test("A code the directory does not know stays local (the verifier refused it before; nothing is dropped)")
    func unknownStaysLocal() throws {
        let directory = try #require(Self.directory)
        let route = RecordHandler.route(["000.00.00.G99"], from: "national", in: directory)
        #expect(route.local == ["000.00.00.G99"])
    }
}
