import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayDocuments
import Foundation

/// `docrelay sign`: signs one document offline and prints its headers (JSON).
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign one document offline; print its dr-* headers as JSON.",
        discussion: """
            For an edXML document, --from, --to, --id and --kind default to its header. \
            --print-base prints the signature base instead (for signing with another tool).
            """)

    @Argument(help: "The document, or - for standard input.")
    var file: String

    @OptionGroup var signing: SigningOptions
    @OptionGroup var document: DocumentHeaderOptions
    @OptionGroup var documentLimits: DocumentLimitOptions

    @Option(help: ArgumentHelp("Write the headers there instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Print the signature base (the nine lines the signature covers) and stop.")
    var printBase = false

    func run() throws {
        let draft = try document.draft(fileName: file == "-" ? nil : file)
        // Up to the sender's home hub's max-document-bytes: a larger document than one record
        // holds is signed whole, and sent in segments (`docrelay send`, the agent).
        let (value, limits) = try documentLimits.read(file, draft: draft)
        if printBase {
            do {
                let headers = try DocumentSigner.headers(for: value, draft: draft)
                FileHandle.standardOutput.write(Data(headers.signatureBase))
            } catch {
                throw CommandFailure.configuration("\(file): \(error)")
            }
            return
        }
        let identity = try signing.identity()
        let signed: SignedHeaders
        do {
            signed = try DocumentSigner.sign(
                value, draft: draft, identity: identity, scheme: try signing.signatureScheme(), limits: limits)
        } catch {
            throw CommandFailure.configuration("\(file): \(error)")
        }
        let json = HeadersFile.encode(signed)
        if let output {
            do {
                try Data(json.utf8).write(to: URL(fileURLWithPath: output))
            } catch {
                throw CommandFailure.operation("cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            print(json, terminator: "")
        }
    }
}
