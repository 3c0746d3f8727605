import DocRelayCore

/// Where each recipient of a record goes from one hub (docs/relay.md, "Hubs in a tree").
struct RelayRoute: Sendable, Equatable {
    /// A next hub and the recipients it leads to.
    struct Next: Sendable, Equatable {
        /// The next hub's id.
        let hub: String
        /// The recipients, in the order given.
        let codes: [String]
    }

    /// Recipients homed here (or that the directory does not know: the verifier refused those
    /// before, so nothing is dropped), in the order given.
    var local: [String] = []
    /// The next hubs, sorted by id.
    var forward: [Next] = []
    /// Recipients no hub of the directory leads to, with why.
    var unroutable: [RecipientFailure] = []
}

extension RelayPolicy {
    /// Where each recipient goes from `hubID` in `directory`: its inbox here, the next hub on
    /// the tree's path to its home hub, or nowhere (no path). A hub the directory does not know
    /// keeps every recipient local.
    static func route(_ recipients: [String], from hubID: String, in directory: Directory) -> RelayRoute {
        var route = RelayRoute()
        var forward: [String: [String]] = [:]
        guard let here = directory.hub(id: hubID) else { return RelayRoute(local: recipients) }
        for code in recipients {
            guard let home = directory.agency(named: code).flatMap({ directory.homeHub(of: $0.code) }), home.id != hubID else {
                route.local.append(code)
                continue
            }
            guard let next = directory.nextHub(from: here, toward: home) else {
                route.unroutable.append(RecipientFailure(
                    recipient: code, reason: "\(code)'s home hub is \(home.id), and no hub of the directory leads there from \(hubID)"))
                continue
            }
            // A next hub without a link (the directory reloaded with a new neighbour) fails as a
            // passing failure: retried, and served once the relay restarts with the new tree.
            forward[next.id, default: []].append(code)
        }
        route.forward = forward.sorted { $0.key < $1.key }.map { RelayRoute.Next(hub: $0.key, codes: $0.value) }
        return route
    }
}
