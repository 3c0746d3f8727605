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

    /// A new CA written to `folder`/ca.pem and ca.key.
    static func create(in folder: URL, kind: PrivateKey.KeyKind, days: Int) throws -> DevelopmentCA {
        do {
            let key = try PrivateKey.generate(kind)
            let certificate = try DevelopmentPKI.makeCA(
                commonName: "DocRelay Development CA", organization: "DocRelay development", key: key,
                validFrom: Date().addingTimeInterval(-3600), validFor: TimeInterval(days) * 86_400 + 3600)
            try write(certificate.pem, to: folder.appendingPathComponent("ca.pem"))
            try write(key.pem, to: folder.appendingPathComponent("ca.key"))
            return DevelopmentCA(certificate: certificate, key: key)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure.operation("cannot create the CA: \(error)")
        }
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

    /// Issues a certificate and writes `<fileName>.pem` and `.key` into `folder`.
    func issue(
        commonName: String, organization: String, kind: PrivateKey.KeyKind, days: Int, into folder: URL,
        fileName: String, validFrom: Date = Date().addingTimeInterval(-3600)
    ) throws -> Certificate {
        do {
            let subjectKey = try PrivateKey.generate(kind)
            let issued = try DevelopmentPKI.issue(
                commonName: commonName, organization: organization, subjectKey: subjectKey, issuer: certificate,
                issuerKey: key, validFrom: validFrom, validFor: TimeInterval(days) * 86_400)
            try Self.write(issued.pem, to: folder.appendingPathComponent("\(fileName).pem"))
            try Self.write(subjectKey.pem, to: folder.appendingPathComponent("\(fileName).key"))
            return issued
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure.operation("cannot issue a certificate for \(commonName): \(error)")
        }
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
    /// them, into `folder`; returns the directory's path.
    @discardableResult
    static func write(
        hubs: [HubSpec], agencies: [AgencySpec], into folder: URL, bootstrap: String, hubBootstrap: [String: String] = [:],
        kind: PrivateKey.KeyKind = .ecP256,
        days: Int = 825
    ) throws -> String {
        let ca = try DevelopmentCA.create(in: folder, kind: kind, days: days)
        var hubEntries: [DirectoryWriter.HubEntry] = []
        for hub in hubs {
            let issued = try ca.issue(commonName: "hub:\(hub.id)", organization: "DocRelay hub \(hub.id)",
                                      kind: kind, days: days, into: folder.appendingPathComponent("hubs"), fileName: hub.id)
            hubEntries.append(.init(id: hub.id, parent: hub.parent, bootstrap: hubBootstrap[hub.id] ?? bootstrap, certificate: issued))
        }
        var agencyEntries: [DirectoryWriter.AgencyEntry] = []
        for agency in agencies {
            let issued = try ca.issue(commonName: agency.code, organization: agency.name, kind: kind, days: days,
                                      into: folder.appendingPathComponent("agencies"), fileName: agency.code)
            agencyEntries.append(.init(code: agency.code, name: agency.name, hub: agency.hub, parent: agency.parent, certificate: issued))
        }
        let directoryPath = folder.appendingPathComponent("directory.yaml")
        try DevelopmentCA.write(DirectoryWriter.directory(hubs: hubEntries, agencies: agencyEntries), to: directoryPath)
        do {
            _ = try Directory.load(contentsOf: directoryPath.path)
        } catch {
            throw CommandFailure.operation("the directory written does not load: \(error)")
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

    static func parseAgency(_ text: String) throws -> AgencySpec {
        let (head, name) = text.split(separator: "=", maxSplits: 1).map(String.init).splitFirst()
        let parts = head.split(separator: "@").map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw CommandFailure.configuration("option --agency \(text): expected code@hub[=name]")
        }
        return AgencySpec(code: parts[0], hub: parts[1], name: name ?? parts[0])
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
