import DocRelayCore
import DocRelaySigning
import Foundation

/// The development CA of `docrelay pki`: its certificate and key, on disk.
struct DevelopmentCA {
    let certificate: Certificate
    let key: PrivateKey

    static func keyKind(_ text: String) throws -> PrivateKey.KeyKind {
        switch text {
        case "ec": return .ecP256
        case "rsa": return .rsa(bits: 2048)
        default: throw CommandFailure.configuration("option --key-type \(text): expected ec or rsa")
        }
    }

    /// A new CA, in memory: `writeAuthority(into:)` writes it.
    static func generate(kind: PrivateKey.KeyKind, days: Int) throws -> DevelopmentCA {
        do {
            let key = try PrivateKey.generate(kind)
            let certificate = try DevelopmentPKI.makeCA(
                commonName: "DocRelay Development CA", organization: "DocRelay development", key: key,
                validFrom: Date().addingTimeInterval(-3600), validFor: TimeInterval(days) * 86_400 + 3600)
            return DevelopmentCA(certificate: certificate, key: key)
        } catch {
            throw CommandFailure.operation("cannot create the CA: \(error)")
        }
    }

    /// Writes the CA to `folder`/ca.pem and ca.key.
    func writeAuthority(into folder: URL) throws {
        try Self.write(certificate.pem, to: folder.appendingPathComponent("ca.pem"))
        try Self.write(key.pem, to: folder.appendingPathComponent("ca.key"))
    }

    static func load(from folder: URL) throws -> DevelopmentCA {
        let certificatePath = folder.appendingPathComponent("ca.pem").path
        let keyPath = folder.appendingPathComponent("ca.key").path
        do {
            guard let certificate = try Certificate.load(pemFile: certificatePath).first else {
                throw CommandFailure.configuration("\(certificatePath): no certificate")
            }
            let key = try PrivateKey(pem: String(contentsOfFile: keyPath, encoding: .utf8))
            return DevelopmentCA(certificate: certificate, key: key)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure.configuration("option --ca \(folder.path): expected ca.pem and ca.key of `docrelay pki init`: \(error)")
        }
    }

    /// A certificate and its key, issued by this CA and not yet written.
    struct Issued {
        let certificate: Certificate
        let key: PrivateKey

        /// Writes `<fileName>.pem` and `.key` into `folder`.
        func write(into folder: URL, fileName: String) throws {
            try DevelopmentCA.write(certificate.pem, to: folder.appendingPathComponent("\(fileName).pem"))
            try DevelopmentCA.write(key.pem, to: folder.appendingPathComponent("\(fileName).key"))
        }
    }

    /// Issues a certificate, in memory.
    func issue(
        commonName: String, organization: String, kind: PrivateKey.KeyKind, days: Int,
        validFrom: Date = Date().addingTimeInterval(-3600)
    ) throws -> Issued {
        do {
            let subjectKey = try PrivateKey.generate(kind)
            let issued = try DevelopmentPKI.issue(
                commonName: commonName, organization: organization, subjectKey: subjectKey, issuer: certificate,
                issuerKey: key, validFrom: validFrom, validFor: TimeInterval(days) * 86_400)
            return Issued(certificate: issued, key: subjectKey)
        } catch {
            throw CommandFailure.operation("cannot issue a certificate for \(commonName): \(error)")
        }
    }

    /// Issues a certificate and writes `<fileName>.pem` and `.key` into `folder`.
    func issue(
        commonName: String, organization: String, kind: PrivateKey.KeyKind, days: Int, into folder: URL,
        fileName: String, validFrom: Date = Date().addingTimeInterval(-3600)
    ) throws -> Certificate {
        let issued = try issue(commonName: commonName, organization: organization, kind: kind, days: days, validFrom: validFrom)
        try issued.write(into: folder, fileName: fileName)
        return issued.certificate
    }

    static func write(_ text: String, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        } catch {
            throw CommandFailure.operation("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}

/// The hubs and agencies `pki init` creates by default: levels 1 to 4 in two provinces.
enum DevelopmentTopology {
    struct HubSpec { let id: String; let parent: String? }
    struct AgencySpec { let code: String; let hub: String; let name: String; var parent: String? = nil }

    static let sampleHubs: [HubSpec] = [
        HubSpec(id: "national", parent: nil),
        HubSpec(id: "h58", parent: "national"),
        HubSpec(id: "h53", parent: "national"),
    ]

    static let sampleAgencies: [AgencySpec] = [
        AgencySpec(code: "000.00.00.G22", hub: "national", name: "Văn phòng Chính phủ"),
        AgencySpec(code: "000.00.00.G17", hub: "national", name: "Bộ Thông tin và Truyền thông"),
        AgencySpec(code: "000.00.00.H58", hub: "h58", name: "UBND tỉnh Tiền Giang"),
        AgencySpec(code: "000.00.12.H58", hub: "h58", name: "UBND huyện Cái Bè"),
        AgencySpec(code: "000.07.12.H58", hub: "h58", name: "UBND xã Hậu Thành"),
        AgencySpec(code: "000.00.00.H53", hub: "h53", name: "UBND tỉnh Tây Ninh"),
        AgencySpec(code: "000.00.32.H53", hub: "h53", name: "Sở Nội vụ tỉnh Tây Ninh"),
        AgencySpec(code: "000.21.32.H53", hub: "h53", name: "Phòng Công chức, Sở Nội vụ"),
    ]

    /// Writes a CA, a certificate per hub (`hub:<id>`) and agency, and `directory.yaml` binding
    /// them, into `folder`; returns the directory's path. Everything is made in memory and the
    /// directory is loaded (`Directory.parse`) before a file is written, so a topology the
    /// directory refuses writes nothing (exit 2); `directory.yaml` is written last, atomically.
    @discardableResult
    static func write(
        hubs: [HubSpec], agencies: [AgencySpec], into folder: URL, bootstrap: String, hubBootstrap: [String: String] = [:],
        kind: PrivateKey.KeyKind = .ecP256,
        days: Int = 825
    ) throws -> String {
        let ca = try DevelopmentCA.generate(kind: kind, days: days)
        var hubEntries: [DirectoryWriter.HubEntry] = []
        var hubIdentities: [(String, DevelopmentCA.Issued)] = []
        for hub in hubs {
            let issued = try ca.issue(commonName: "hub:\(hub.id)", organization: "DocRelay hub \(hub.id)", kind: kind, days: days)
            hubIdentities.append((hub.id, issued))
            hubEntries.append(.init(id: hub.id, parent: hub.parent, bootstrap: hubBootstrap[hub.id] ?? bootstrap, certificate: issued.certificate))
        }
        var agencyEntries: [DirectoryWriter.AgencyEntry] = []
        var agencyIdentities: [(String, DevelopmentCA.Issued)] = []
        for agency in agencies {
            let issued = try ca.issue(commonName: agency.code, organization: agency.name, kind: kind, days: days)
            agencyIdentities.append((agency.code, issued))
            agencyEntries.append(.init(code: agency.code, name: agency.name, hub: agency.hub, parent: agency.parent, certificate: issued.certificate))
        }
        let directoryPath = folder.appendingPathComponent("directory.yaml")
        let yaml = DirectoryWriter.directory(hubs: hubEntries, agencies: agencyEntries)
        do {
            _ = try Directory.parse(yaml, path: directoryPath.path)
        } catch {
            throw CommandFailure.configuration("options --hub/--agency: the directory they describe would not load, so nothing was written: \(error)")
        }
        try ca.writeAuthority(into: folder)
        for (id, issued) in hubIdentities { try issued.write(into: folder.appendingPathComponent("hubs"), fileName: id) }
        for (code, issued) in agencyIdentities { try issued.write(into: folder.appendingPathComponent("agencies"), fileName: code) }
        do {
            try Data(yaml.utf8).write(to: directoryPath, options: .atomic)
        } catch {
            throw CommandFailure.operation("cannot write \(directoryPath.path): \(error.localizedDescription)")
        }
        return directoryPath.path
    }

    static func parseHub(_ text: String) throws -> HubSpec {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), !parts[0].isEmpty else {
            throw CommandFailure.configuration("option --hub \(text): expected id[:parent]")
        }
        return HubSpec(id: parts[0], parent: parts.count == 2 ? parts[1] : nil)
    }

    /// The shape `--agency` takes.
    static let agencyShape = "CODE@HUB[=NAME][^PARENT], e.g. 000.00.00.G22@national=Văn phòng Chính phủ or vxp.saas.03@national^000.00.00.G22"

    /// `CODE@HUB`, then `=NAME` and `^PARENT` in either order, each at most once: the name runs
    /// to a `^` or the end (it may hold `=`, not `^`), the parent to a `=` or the end. A code
    /// that is not QCVN 102:2016 (`vxp.saas.03`) must name its parent: the directory accepts
    /// such a unit only with its home hub and parent (docs/directory.md).
    static func parseAgency(_ text: String) throws -> AgencySpec {
        func refuse(_ what: String) -> CommandFailure {
            CommandFailure.configuration("option --agency \(text): \(what)")
        }
        guard let at = text.firstIndex(of: "@") else { throw refuse("expected \(agencyShape)") }
        let code = String(text[..<at])
        var rest = text[text.index(after: at)...]
        let hubEnd = rest.firstIndex { $0 == "=" || $0 == "^" } ?? rest.endIndex
        let hub = String(rest[..<hubEnd])
        rest = rest[hubEnd...]
        var name: String?
        var parent: String?
        while let marker = rest.first {
            rest = rest.dropFirst()
            let stop = rest.firstIndex(of: marker == "=" ? "^" : "=") ?? rest.endIndex
            let part = String(rest[..<stop])
            rest = rest[stop...]
            if marker == "=" {
                guard name == nil, !part.isEmpty else { throw refuse("expected one non-empty =NAME: \(agencyShape)") }
                name = part
            } else {
                guard parent == nil, !part.isEmpty else { throw refuse("expected one non-empty ^PARENT: \(agencyShape)") }
                parent = part
            }
        }
        guard !code.isEmpty, !hub.isEmpty, !hub.contains("@") else { throw refuse("expected \(agencyShape)") }
        let parsed: AgencyCode
        do {
            parsed = try AgencyCode(parsing: code)
        } catch {
            throw refuse("\(error)")
        }
        if let parent {
            do {
                _ = try AgencyCode(parsing: parent)
            } catch {
                throw refuse("the parent: \(error)")
            }
        }
        guard parsed.isQCVN || parent != nil else {
            throw refuse(
                "\(code) is not a QCVN 102:2016 code (AAA.BB.CC.Xnn), so the directory needs its parent: "
                    + "expected \(code)@\(hub)\(name.map { "=\($0)" } ?? "")^PARENT, with PARENT the code of another --agency above it")
        }
        return AgencySpec(code: code, hub: hub, name: name ?? code, parent: parent)
    }

    /// Refuses hubs and parents that no option declares, naming the option (exit 2).
    static func checkReferences(hubs: [HubSpec], agencies: [AgencySpec], options: [String]) throws {
        let hubIDs = hubs.map(\.id)
        let codes = Set(agencies.map(\.code))
        for (agency, option) in zip(agencies, options) {
            guard hubIDs.contains(agency.hub) else {
                throw CommandFailure.configuration(
                    "option --agency \(option): expected the id of a hub (\(hubIDs.joined(separator: ", "))), not '\(agency.hub)'")
            }
            if let parent = agency.parent, !codes.contains(parent) {
                throw CommandFailure.configuration(
                    "option --agency \(option): expected ^PARENT to name another --agency (\(codes.sorted().joined(separator: ", "))), not '\(parent)'")
            }
        }
    }
}

private extension Array where Element == String {
    func splitFirst() -> (String, String?) { (first ?? "", count > 1 ? self[1] : nil) }
}

/// Writes the directory YAML of `pki init` (hand-written, so that its layout reads well).
enum DirectoryWriter {
    struct HubEntry { let id: String; let parent: String?; let bootstrap: String; let certificate: Certificate }
    struct AgencyEntry { let code: String; let name: String; let hub: String; let parent: String?; let certificate: Certificate }

    static func directory(hubs: [HubEntry], agencies: [AgencyEntry]) -> String {
        var lines = ["# DocRelay directory written by `docrelay pki init` (development certificates).", "hubs:"]
        for hub in hubs {
            lines.append("  - id: \(quoted(hub.id))")
            if let parent = hub.parent { lines.append("    parent: \(quoted(parent))") }
            lines.append("    kafka:")
            lines.append("      bootstrap: \(quoted(hub.bootstrap))")
            lines += certificateLines(hub.certificate, indent: "    ")
        }
        lines.append("agencies:")
        for agency in agencies {
            lines.append("  - code: \(quoted(agency.code))")
            lines.append("    name: \(quoted(agency.name))")
            lines.append("    hub: \(quoted(agency.hub))")
            if let parent = agency.parent { lines.append("    parent: \(quoted(parent))") }
            lines += certificateLines(agency.certificate, indent: "    ")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func certificateLines(_ certificate: Certificate, indent: String) -> [String] {
        [
            "\(indent)certificates:",
            "\(indent)  - sha256: \(quoted(certificate.sha256Fingerprint))",
            "\(indent)  - subject: \(quoted(certificate.subject))",
            "\(indent)    issuer: \(quoted(certificate.issuer))",
        ]
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 { result += String(format: "\\x%02X", scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }
}
