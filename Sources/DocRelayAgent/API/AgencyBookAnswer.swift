import DocRelayCore

/// The answer of `GET /v1/agencies?q=` (docs/agent-api.yaml): the agencies found, best first.
struct AgencyBookAnswer: Encodable, Sendable {
    /// One agency: its code, official name, home hub, parent's code (absent under the national
    /// hub), and the codes and names it had before.
    struct Entry: Encodable, Sendable {
        var code: String
        var name: String
        var hub: String
        var parent: String?
        var formerCodes: [String]
        var formerNames: [String]
    }

    var query: String
    var count: Int
    var agencies: [Entry]

    init(query: String, agencies: [Agency], directory: Directory) {
        self.query = query
        self.count = agencies.count
        self.agencies = agencies.map {
            Entry(
                code: $0.code.rawValue, name: $0.name, hub: $0.hubID, parent: directory.parent(of: $0.code)?.rawValue,
                formerCodes: $0.formerCodes, formerNames: $0.formerNames)
        }
    }
}
