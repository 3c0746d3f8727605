import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelaySigning
import Foundation

/// `docrelay verify`: the relay's checks on one document, offline.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check one signed document offline, as the relay would.",
        discussion: """
            Exit 0 when valid, 1 when rejected (the reason and its dr-error-class are printed), \
            2 for bad usage. Without --directory, the sender's binding and the recipients are not checked.
            """)

    @Argument(help: "The document, or - for standard input.")
    var file: String

    @Option(help: ArgumentHelp("Its dr-* headers, as JSON (what `docrelay sign` writes).", valueName: "file"))
    var headers: String

    @OptionGroup var trust: TrustOptions

    @Flag(help: "Verify with OpenSSL's CMS_verify instead of the fast path (same verdicts).")
    var openssl = false

    @Flag(help: "Print the verdict as JSON.")
    var json = false

    func run() throws {
        let value = try readInput(file)
        let headerList = try HeadersFile.decode(headers)
        let verifier = DocumentVerifier(
            directory: try trust.loadDirectory(), trust: try trust.trustStore(),
            signatures: openssl ? OpenSSLCMSVerifier() : FastCMSVerifier())
        let result = verifier.verify(headers: headerList, value: value)
        print(json ? Self.json(result, skipped: verifier.skippedChecks) : Self.text(result, skipped: verifier.skippedChecks))
        if case .failure = result { throw ExitCode(1) }
    }

    static func text(_ result: Result<VerifiedDocument, Rejection>, skipped: [String]) -> String {
        switch result {
        case .success(let document):
            let signed = document.envelope.signed
            var lines = [
                "valid: \(signed.kind.rawValue) \(signed.id) from \(signed.from) to \(signed.to.joined(separator: ","))",
                "signed by \(document.signer.subject) (SHA-256 \(document.signer.fingerprint))",
            ]
            if let edXML = document.edXML {
                lines.append("edXML: \(edXML.code ?? "-") \(edXML.subject ?? "")" + (edXML.statusCode.map { " status \($0.rawValue)" } ?? ""))
            }
            if !skipped.isEmpty { lines.append("not checked (no --directory): \(skipped.joined(separator: ", "))") }
            return lines.joined(separator: "\n")
        case .failure(let rejection):
            return "rejected (\(rejection.errorClass)): \(rejection.reason)"
        }
    }

    static func json(_ result: Result<VerifiedDocument, Rejection>, skipped: [String]) -> String {
        var object: [String: Any] = ["skipped": skipped]
        switch result {
        case .success(let document):
            let signed = document.envelope.signed
            object["valid"] = true
            object["id"] = signed.id
            object["kind"] = signed.kind.rawValue
            object["from"] = signed.from
            object["to"] = signed.to
            object["signer"] = ["subject": document.signer.subject, "fingerprint": document.signer.fingerprint]
            if let edXML = document.edXML {
                object["edxml"] = [
                    "documentId": edXML.documentId ?? "", "code": edXML.code ?? "", "subject": edXML.subject ?? "",
                    "status": edXML.statusCode?.rawValue ?? "",
                ]
            }
        case .failure(let rejection):
            object["valid"] = false
            object["class"] = rejection.errorClass.rawValue
            object["reason"] = rejection.reason
            object["authenticSender"] = rejection.authenticSender?.rawValue ?? NSNull()
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
