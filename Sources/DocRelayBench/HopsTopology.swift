/// The hub tree of `docrelay-bench hops`: four hubs, each on a cluster of its own, and the
/// three agencies whose documents the measurement times.
///
/// ```
///            national
///           /        \
///         h58        h53   ← 000.00.32.H53 (sender of the 1-hop path), 000.00.00.H53 (recipient)
///          |
///         d12              ← 000.00.12.H58 (sender of the 4-hop path)
/// ```
///
/// Both paths end in the same inbox, so that their last step (the h53 relay's delivery) is the
/// same and only the hubs before it differ.
enum HopsTopology {
    struct HubSpec: Sendable, Hashable {
        let id: String
        let parent: String?
        let name: String
    }

    struct AgencySpec: Sendable, Hashable {
        let code: String
        let name: String
        let hub: String
    }

    /// The root first, every parent before its children.
    static let hubs: [HubSpec] = [
        HubSpec(id: "national", parent: nil, name: "Trục liên thông quốc gia"),
        HubSpec(id: "h58", parent: "national", name: "Trục tỉnh Tiền Giang"),
        HubSpec(id: "h53", parent: "national", name: "Trục tỉnh Tây Ninh"),
        HubSpec(id: "d12", parent: "h58", name: "Trục huyện Cái Bè"),
    ]

    /// UBND huyện Cái Bè, homed at the district hub d12: the 4-hop path's sender.
    static let districtSender = AgencySpec(code: "000.00.12.H58", name: "UBND huyện Cái Bè", hub: "d12")
    /// Sở Nội vụ tỉnh Tây Ninh, at h53: the 1-hop path's sender.
    static let provinceSender = AgencySpec(code: "000.00.32.H53", name: "Sở Nội vụ tỉnh Tây Ninh", hub: "h53")
    /// UBND tỉnh Tây Ninh, at h53: the recipient of both paths.
    static let recipient = AgencySpec(code: "000.00.00.H53", name: "UBND tỉnh Tây Ninh", hub: "h53")

    static let agencies = [districtSender, provinceSender, recipient]

    static func hub(_ id: String) -> HubSpec? { hubs.first { $0.id == id } }
}

/// One path a document takes through the tree: its sender, its recipient and the hubs whose
/// relays it passes, in order (what its `dr-hop` headers must name in the recipient's inbox).
struct HopsPath: Sendable, Hashable {
    /// Short name, also the prefix of its documents' ids: `hop1`, `hop4`.
    let name: String
    let sender: HopsTopology.AgencySpec
    let recipient: HopsTopology.AgencySpec
    let hubs: [String]

    /// An agency of h53 to another of h53: one relay.
    static let oneHop = HopsPath(
        name: "hop1", sender: HopsTopology.provinceSender, recipient: HopsTopology.recipient, hubs: ["h53"])
    /// A district of Tiền Giang to the province of Tây Ninh: d12 → h58 → national → h53.
    static let fourHops = HopsPath(
        name: "hop4", sender: HopsTopology.districtSender, recipient: HopsTopology.recipient,
        hubs: ["d12", "h58", "national", "h53"])

    static let all = [oneHop, fourHops]

    /// The id of the `index`th timed document, or of the `index`th warm-up document.
    func id(_ index: Int, warmUp: Bool = false) -> String {
        warmUp ? "\(name)-warm-\(index)" : "\(name)-\(index)"
    }
}
