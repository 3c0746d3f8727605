extension Directory {
    /// A directory built in code, checked exactly as a loaded file is (errors name the entries
    /// as `hubs[i]`/`agencies[i]` of the path `(in memory)`). Every agency here gives its hub.
    public init(hubs: [Hub], agencies: [Agency]) throws(ConfigurationError) {
        let drafts = agencies.map {
            AgencyDraft(code: $0.code, name: $0.name, hubID: $0.hubID, parentOverride: $0.parentOverride,
                        certificateFingerprints: $0.certificateFingerprints,
                        certificateSubjects: $0.certificateSubjects, formerCodes: $0.formerCodes, formerNames: $0.formerNames)
        }
        try self.init(
            validating: hubs, drafts: drafts,
            source: .inMemory(hubs: hubs.count, agencies: agencies.count))
    }

    /// Checks the hub tree and the agencies, resolves home hubs, and builds the directory.
    init(validating hubs: [Hub], drafts: [AgencyDraft], source: DirectorySource) throws(ConfigurationError) {
        let rootIndex = try Self.checkHubs(hubs, source: source)
        let agencies = try Self.checkAgencies(drafts, hubs: hubs, rootID: hubs[rootIndex].id, source: source)
        self.init(checkedHubs: hubs, agencies: agencies, rootIndex: rootIndex)
    }

    // MARK: Hubs

    /// Returns the index of the root after checking ids, connections, parents and the tree.
    private static func checkHubs(_ hubs: [Hub], source: DirectorySource) throws(ConfigurationError) -> Int {
        guard !hubs.isEmpty else {
            throw ConfigurationError(path: source.path, line: source.hubsLine, key: "hubs",
                                 expected: "at least one hub (the root of the tree)")
        }
        var firstIndex: [String: Int] = [:]
        for (index, hub) in hubs.enumerated() {
            guard isHubID(hub.id) else {
                throw source.hubError(index, id: nil, key: "id", "a hub id of 1 to 64 of a-z 0-9 -, not \(quoted(hub.id))")
            }
            if let first = firstIndex[hub.id] {
                throw source.hubError(index, id: hub.id, key: "id",
                                      "each hub id once, not '\(hub.id)' again (first declared as hubs[\(first)])")
            }
            firstIndex[hub.id] = index
            try checkConnection(hub.connection, index: index, id: hub.id, source: source)
        }
        let declared = hubs.map(\.id).joined(separator: ", ")
        var roots: [Int] = []
        for (index, hub) in hubs.enumerated() {
            guard let parentID = hub.parentID else {
                roots.append(index)
                continue
            }
            guard firstIndex[parentID] != nil else {
                throw source.hubError(index, id: hub.id, key: "parent",
                                      "one of the declared hubs (\(declared)), not \(quoted(parentID))")
            }
        }
        if roots.count > 1 {
            throw source.hubError(roots[1], id: hubs[roots[1]].id, key: nil,
                                  "exactly one hub without 'parent' (the root), but '\(hubs[roots[0]].id)' "
                                  + "has none either: give this hub a parent")
        }
        // Every chain of parents must reach the root: otherwise records would route in a circle.
        for (index, hub) in hubs.enumerated() {
            var chain = [hub.id]
            var current = hub
            while let parentID = current.parentID, let parentIndex = firstIndex[parentID] {
                if chain.contains(parentID) {
                    throw source.hubError(index, id: hub.id, key: "parent",
                                          "a hub tree without cycles (a directory that would route in a circle "
                                          + "is refused), not \((chain + [parentID]).joined(separator: " → "))")
                }
                chain.append(parentID)
                current = hubs[parentIndex]
            }
        }
        guard let root = roots.first else {
            // Unreachable: without a root every chain is a cycle, refused above.
            throw ConfigurationError(path: source.path, line: source.hubsLine, key: "hubs",
                                 expected: "exactly one hub without 'parent' (the root), not none")
        }
        return root
    }

    private static func checkConnection(
        _ connection: HubConnection, index: Int, id: String, source: DirectorySource
    ) throws(ConfigurationError) {
        guard !connection.bootstrapServers.isEmpty else {
            throw source.hubError(index, id: id, key: "kafka.bootstrap",
                                  "at least one bootstrap server host:port, not an empty list")
        }
        for server in connection.bootstrapServers
        where server.isEmpty || server.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "," }) {
            throw source.hubError(index, id: id, key: "kafka.bootstrap",
                                  "bootstrap servers host:port separated by commas, not \(quoted(server))")
        }
        guard isTopicPrefix(connection.topicPrefix) else {
            throw source.hubError(index, id: id, key: "kafka.topic-prefix",
                                  "a topic prefix of 1 to 100 of a-z A-Z 0-9 . _ -, not \(quoted(connection.topicPrefix))")
        }
        for name in connection.properties.keys where name.isEmpty || name.unicodeScalars.contains(where: \.properties.isWhitespace) {
            throw source.hubError(index, id: id, key: "kafka.properties",
                                  "librdkafka property names without spaces, not \(quoted(name))")
        }
    }

    // MARK: Agencies

    private static func checkAgencies(
        _ drafts: [AgencyDraft], hubs: [Hub], rootID: String, source: DirectorySource
    ) throws(ConfigurationError) -> [Agency] {
        let hubIDs = Set(hubs.map(\.id))
        let declaredHubs = hubs.map(\.id).joined(separator: ", ")
        var firstIndex: [AgencyCode: Int] = [:]
        for (index, draft) in drafts.enumerated() {
            let code = draft.code.rawValue
            if let first = firstIndex[draft.code] {
                throw source.agencyError(index, code: code, key: "code",
                                         "each agency code once, not '\(code)' again (first declared as agencies[\(first)])")
            }
            firstIndex[draft.code] = index
            if let hubID = draft.hubID {
                guard hubIDs.contains(hubID) else {
                    throw source.agencyError(index, code: code, key: "hub",
                                             "one of the declared hubs (\(declaredHubs)), not \(quoted(hubID))")
                }
            } else if !draft.code.isQCVN {
                throw source.agencyError(index, code: code, key: "hub",
                                         "the agency's home hub: a code that is not QCVN 102:2016 is accepted "
                                         + "only with its hub and parent")
            }
            if draft.parentOverride == nil && !draft.code.isQCVN {
                throw source.agencyError(index, code: code, key: "parent",
                                         "the agency's parent code: a code that is not QCVN 102:2016 is accepted "
                                         + "only with its hub and parent")
            }
            for fingerprint in draft.certificateFingerprints where !isFingerprint(fingerprint) {
                throw source.agencyError(index, code: code, key: "certificates",
                                         "a sha256 of 64 hexadecimal digits (the SHA-256 of the certificate's DER, "
                                         + "without colons), not \(quoted(fingerprint))")
            }
            for binding in draft.certificateSubjects where binding.subject.isEmpty || binding.issuer.isEmpty {
                throw source.agencyError(index, code: code, key: "certificates",
                                         "an RFC 2253 subject such as CN=000.00.00.G22,O=…,C=VN with its issuer, not an empty one")
            }
        }
        for (index, draft) in drafts.enumerated() {
            guard let parent = draft.parentOverride else { continue }
            guard parent != draft.code else {
                throw source.agencyError(index, code: draft.code.rawValue, key: "parent",
                                         "a parent other than the agency itself")
            }
            guard firstIndex[parent] != nil else {
                throw source.agencyError(index, code: draft.code.rawValue, key: "parent",
                                         "the code of an agency declared in the directory, not '\(parent.rawValue)'")
            }
        }

        // The effective parent of each declared agency, by index (override, else nearest declared default).
        let parents: [Int?] = drafts.map { draft in
            if let override = draft.parentOverride { return firstIndex[override] }
            var candidate = draft.code.defaultParent
            while let code = candidate {
                if let index = firstIndex[code] { return index }
                candidate = code.defaultParent
            }
            return nil
        }
        // Each chain of parents is walked once: `done` agencies are known to reach the top.
        var done = Array(repeating: false, count: drafts.count)
        for start in drafts.indices where !done[start] {
            var chain: [Int] = []
            var onChain: Set<Int> = []
            var current: Int? = start
            while let index = current, !done[index] {
                if onChain.contains(index) {
                    let cycle = chain[(chain.firstIndex(of: index) ?? 0)...] + [index]
                    throw source.agencyError(index, code: drafts[index].code.rawValue, key: "parent",
                                             "agency parents without cycles, not "
                                             + cycle.map { drafts[$0].code.rawValue }.joined(separator: " → "))
                }
                chain.append(index)
                onChain.insert(index)
                current = parents[index]
            }
            for index in chain { done[index] = true }
        }

        // A QCVN agency without a hub lives where its nearest ancestor with one lives, else at the
        // root. Resolved top-down with memoisation, since the parents form a forest.
        var resolved: [String?] = drafts.map(\.hubID)
        for start in drafts.indices where resolved[start] == nil {
            var chain: [Int] = []
            var current: Int? = start
            var found: String?
            while let index = current {
                if let hubID = resolved[index] {
                    found = hubID
                    break
                }
                chain.append(index)
                current = parents[index]
            }
            for index in chain { resolved[index] = found ?? rootID }
        }
        return drafts.enumerated().map { index, draft in
            var agency = Agency(
                code: draft.code, name: draft.name, hubID: resolved[index] ?? rootID,
                parentOverride: draft.parentOverride,
                certificateFingerprints: draft.certificateFingerprints,
                certificateSubjects: draft.certificateSubjects)
            agency.formerCodes = draft.formerCodes
            agency.formerNames = draft.formerNames
            return agency
        }
    }

    // MARK: Syntax

    static func isHubID(_ text: String) -> Bool {
        let bytes = text.utf8
        return (1...64).contains(bytes.count) && bytes.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "-")
        }
    }

    /// A topic prefix: 1 to 100 of a-z A-Z 0-9 . _ - (room left for `.hub.<id>`).
    static func isTopicPrefix(_ text: String) -> Bool {
        isTopicName(text, maxLength: 100)
    }

    /// A Kafka topic name: 1 to `maxLength` (Kafka's 249) of a-z A-Z 0-9 . _ -.
    static func isTopicName(_ text: String, maxLength: Int = 249) -> Bool {
        let bytes = text.utf8
        return (1...maxLength).contains(bytes.count) && bytes.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    static func isFingerprint(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy(\.isHexDigit)
    }
}

extension UInt8 {
    /// 0-9, a-f or A-F.
    var isHexDigit: Bool {
        (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")) || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
