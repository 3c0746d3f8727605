import ArgumentParser
import DocRelayCore
import DocRelaySigning
import Foundation

/// `docrelay pki`: a development CA with hub and agency certificates, and the directory that
/// binds them. For demos and tests only: keys are written unencrypted.
struct PKICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "A development CA, hub and agency certificates, and the matching directory.",
        subcommands: [PKIInitCommand.self, PKIIssueCommand.self])
}

/// `docrelay pki init`: everything a development hub tree needs, in one folder.
struct PKIInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a CA, a certificate per hub and agency, and directory.yaml.",
        discussion: """
            Without --hub and --agency: a national hub with the provincial hubs of Tiền Giang (h58) \
            and Tây Ninh (h53), and agencies at levels 1 to 4 (see the directory it writes). \
            The directory is checked before anything is written: options it would refuse write nothing (exit 2).
            """)

    @Option(help: ArgumentHelp("Folder to write into (created).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("A hub, id[:parent]. Repeatable; the first without parent is the root.", valueName: "id[:parent]"))
    var hub: [String] = []

    @Option(help: ArgumentHelp(
        "An agency, CODE@HUB[=NAME][^PARENT]. Repeatable. A code that is not QCVN 102 (vxp.saas.03) needs ^PARENT, the code of another --agency above it.",
        valueName: "code@hub[=name][^parent]"))
    var agency: [String] = []

    @Option(help: "Kafka bootstrap servers written for every hub.")
    var bootstrapServers: String = "127.0.0.1:9092"

    @Option(help: ArgumentHelp("A hub on a cluster of its own: id=host:port[,host:port]. Repeatable.", valueName: "id=bootstrap"))
    var hubBootstrap: [String] = []

    @Option(help: "Key type: ec (P-256) or rsa (2048).")
    var keyType: String = "ec"

    @Option(help: "Days the certificates are valid.")
    var days: Int = 825

    func run() throws {
        let kind = try DevelopmentCA.keyKind(keyType)
        let hubs = hub.isEmpty ? DevelopmentTopology.sampleHubs : try hub.map(DevelopmentTopology.parseHub)
        let agencies = agency.isEmpty ? DevelopmentTopology.sampleAgencies : try agency.map(DevelopmentTopology.parseAgency)
        if !agency.isEmpty { try DevelopmentTopology.checkReferences(hubs: hubs, agencies: agencies, options: agency) }
        let folder = URL(fileURLWithPath: out)
        var perHub: [String: String] = [:]
        for entry in hubBootstrap {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, hubs.contains(where: { $0.id == parts[0] }), !parts[1].isEmpty else {
                throw CommandFailure.configuration(
                    "option --hub-bootstrap '\(entry)': expected id=host:port with the id of a hub (\(hubs.map(\.id).joined(separator: ", ")))")
            }
            perHub[parts[0]] = parts[1]
        }
        try DevelopmentTopology.write(
            hubs: hubs, agencies: agencies, into: folder, bootstrap: bootstrapServers, hubBootstrap: perHub, kind: kind, days: days)
        print("Wrote \(folder.path): ca.pem, \(hubs.count) hub and \(agencies.count) agency certificates, directory.yaml")
    }
}

/// `docrelay pki issue`: one more certificate from an existing development CA.
struct PKIIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue one agency (or hub:<id>) certificate from a development CA; print its directory entry.")

    @Option(help: ArgumentHelp("The folder of `pki init` (its ca.pem and ca.key).", valueName: "dir"))
    var ca: String

    @Option(help: "The agency code (or hub:<id>) for the certificate's CN.")
    var code: String

    @Option(help: "The organization name.")
    var name: String = "Development agency"

    @Option(help: ArgumentHelp("Folder to write <code>.pem and <code>.key into.", valueName: "dir"))
    var out: String

    @Option(help: "Days the certificate is valid.")
    var days: Int = 825

    @Option(help: "Start of validity, RFC 3339 (default: now); a past date with few --days gives an expired certificate.")
    var validFrom: String?

    @Option(help: "Key type: ec (P-256) or rsa (2048).")
    var keyType: String = "ec"

    func run() throws {
        let kind = try DevelopmentCA.keyKind(keyType)
        let authority = try DevelopmentCA.load(from: URL(fileURLWithPath: ca))
        var start = Date()
        if let validFrom {
            guard let date = try? Date(validFrom, strategy: .iso8601) else {
                throw CommandFailure.configuration("option --valid-from \(validFrom): expected RFC 3339, e.g. 2025-01-01T00:00:00Z")
            }
            start = date
        }
        let issued = try authority.issue(commonName: code, organization: name, kind: kind, days: days,
                                         into: URL(fileURLWithPath: out), fileName: code, validFrom: start)
        print(DirectoryWriter.certificateLines(issued, indent: "    ").joined(separator: "\n"))
    }
}
