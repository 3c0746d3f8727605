/// Every hub and agency DocRelay knows, and the hierarchy between them: which hub is home to
/// which agency, how hubs nest, which certificates may sign as which agency.
///
/// A `Directory` is an immutable, validated snapshot: it is loaded from a YAML file
/// (`load(contentsOf:)`, format in `docs/directory.md` and below) or built in code
/// (`init(hubs:agencies:)`), and refused whole when anything is wrong. `DirectoryStore` swaps
/// snapshots on reload; work in flight keeps the one it took.
///
/// ```yaml
/// hubs:
///   - id: national                 # [a-z0-9-]+, unique
///     name: Trục liên thông quốc gia
///     kafka:
///       bootstrap: kafka-1:19092,kafka-2:19092
///       properties-file: kafka/tls.properties   # optional, relative to the directory file
///       properties: { sasl.username: relay }      # optional map of strings
///       topic-prefix: docrelay                    # optional, default docrelay
///   - id: h58
///     parent: national             # exactly one hub has no parent (the root)
///     kafka: { bootstrap: kafka-h58:9092 }
/// agencies:
///   - code: "000.00.00.G22"
///     name: Văn phòng Chính phủ
///     hub: national                # its home hub (for a QCVN code: default, its parent's home)
///     parent: "000.00.00.H58"      # optional override of the default parent
///     certificates:                # the certificates bound to this code: any of them
///       - sha256: 3f5a…            # 64 hex: SHA-256 of the certificate's DER
///       - subject: "CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN"   # RFC 2253 subject,
///         issuer: "CN=Cục Chứng thực số,O=Ban Cơ yếu Chính phủ,C=VN"  # always with its issuer
///   - code: vxp.saas.03            # not QCVN: accepted only here, with hub and parent
///     name: Test unit
///     hub: h58
///     parent: "000.00.00.H58"
/// ```
public struct Directory: Sendable {
    /// The hubs, in file order.
    public let hubs: [Hub]
    /// The agencies, in file order, each with its home hub resolved.
    public let agencies: [Agency]

    private let hubIndex: [String: Int]
    private let agencyIndex: [AgencyCode: Int]
    private let fingerprintIndex: [String: [Int]]
    private let rootIndex: Int

    /// A directory built from checked parts (see `Directory+Validation.swift`).
    init(checkedHubs hubs: [Hub], agencies: [Agency], rootIndex: Int) {
        self.hubs = hubs
        self.agencies = agencies
        self.rootIndex = rootIndex
        var hubIndex: [String: Int] = [:]
        for (index, hub) in hubs.enumerated() { hubIndex[hub.id] = index }
        var agencyIndex: [AgencyCode: Int] = [:]
        var fingerprintIndex: [String: [Int]] = [:]
        for (index, agency) in agencies.enumerated() {
            agencyIndex[agency.code] = index
            for fingerprint in Set(agency.certificateFingerprints) {
                fingerprintIndex[fingerprint, default: []].append(index)
            }
        }
        self.hubIndex = hubIndex
        self.agencyIndex = agencyIndex
        self.fingerprintIndex = fingerprintIndex
    }

    // MARK: Agencies

    /// The agency declared with this code, if any.
    public func agency(_ code: AgencyCode) -> Agency? {
        agencyIndex[code].map { agencies[$0] }
    }

    /// The agency named by `text`: parsed as a code, then looked up. A text that is not a code,
    /// or a code not declared (QCVN or not), finds nothing.
    public func agency(named text: String) -> Agency? {
        guard let code = try? AgencyCode(parsing: text) else { return nil }
        return agency(code)
    }

    /// The hub that serves the agency with this code; `nil` when the code is not declared.
    public func homeHub(of code: AgencyCode) -> Hub? {
        agency(code).flatMap { hub(id: $0.hubID) }
    }

    /// The agency above `code`: the directory's override, else the nearest declared ancestor by
    /// the code's default parents (`000.21.32.H53` → `000.00.32.H53` → `000.00.00.H53`, skipping
    /// those not in the directory); `nil` at the top (the national hub). Works for undeclared
    /// QCVN codes too.
    public func parent(of code: AgencyCode) -> AgencyCode? {
        if let override = agency(code)?.parentOverride { return override }
        var candidate = code.defaultParent
        while let code = candidate {
            if agencyIndex[code] != nil { return code }
            candidate = code.defaultParent
        }
        return nil
    }

    /// The agencies a certificate with this SHA-256 fingerprint (hex, any case) is bound to.
    public func agencies(boundToFingerprint fingerprint: String) -> [Agency] {
        (fingerprintIndex[fingerprint.lowercased()] ?? []).map { agencies[$0] }
    }

    /// Whether a certificate with this fingerprint (hex, any case) or RFC 2253 subject
    /// (compared exactly after trimming) may sign as `code`; `false` for an undeclared code.
    public func isBound(_ code: AgencyCode, fingerprint: String, subject: String?, issuer: String?) -> Bool {
        agency(code)?.isBound(fingerprint: fingerprint, subject: subject, issuer: issuer) ?? false
    }

    /// Whether a certificate may sign as `hub:<id>` (a hub's acks).
    public func isBound(hubID: String, fingerprint: String, subject: String?, issuer: String?) -> Bool {
        hub(id: hubID)?.isBound(fingerprint: fingerprint, subject: subject, issuer: issuer) ?? false
    }

    // MARK: Hubs

    /// The hub with this id, if declared.
    public func hub(id: String) -> Hub? {
        hubIndex[id].map { hubs[$0] }
    }

    /// The root of the hub tree (the national hub).
    public var root: Hub { hubs[rootIndex] }

    /// The hubs above `hub`, nearest first, the root last; empty for the root or an unknown hub.
    public func ancestors(of hub: Hub) -> [Hub] {
        var result: [Hub] = []
        var current = hubIndex[hub.id].map { hubs[$0] }
        while let parentID = current?.parentID, let parent = self.hub(id: parentID), result.count < hubs.count {
            result.append(parent)
            current = parent
        }
        return result
    }

    /// The hubs directly below `hub`, in file order.
    public func children(of hub: Hub) -> [Hub] {
        hubs.filter { $0.parentID == hub.id }
    }

    /// The hubs a record travels through from `fromHub` to `toHub` along the tree, both ends
    /// included (`[fromHub]` when they are the same): up to their nearest common ancestor, then
    /// down. Empty when either hub is not in this directory.
    public func path(fromHub: Hub, toHub: Hub) -> [Hub] {
        guard let from = hub(id: fromHub.id), let to = hub(id: toHub.id) else { return [] }
        let up = [from] + ancestors(of: from)
        let down = [to] + ancestors(of: to)
        let downIDs = Set(down.map(\.id))
        guard let meeting = up.firstIndex(where: { downIDs.contains($0.id) }),
              let meetingInDown = down.firstIndex(where: { $0.id == up[meeting].id })
        else { return [] }
        return Array(up[...meeting]) + down[..<meetingInDown].reversed()
    }

    /// The next hub after `fromHub` on the way to `toHub`; `nil` when they are the same.
    public func nextHub(from fromHub: Hub, toward toHub: Hub) -> Hub? {
        let path = path(fromHub: fromHub, toHub: toHub)
        return path.count > 1 ? path[1] : nil
    }
}
