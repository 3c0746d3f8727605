import ArgumentParser
import DocRelaySigning
import Foundation

/// `docrelay agent token`: a new bearer token for a client of the agent's API, and the
/// `api.clients` entry that admits it. The token is printed once; only its SHA-256 goes into
/// agency.yaml.
struct AgentTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make a bearer token for a client of the agent's HTTP API, and its api.clients entry.",
        discussion: """
            Prints the token (give it to the client's software: Authorization: Bearer <token>) and \
            the entry to add under api: clients: in agency.yaml, which holds only the token's SHA-256. \
            The token is 32 random bytes, base64url.
            """)

    @Option(help: "The client's name in agency.yaml.")
    var name = "client"

    @Option(parsing: .upToNextOption, help: "What it may do: send, read, redeliver.")
    var may: [String] = ["send", "read"]

    func validate() throws {
        for permission in may where !["send", "read", "redeliver"].contains(permission) {
            throw ValidationError("--may takes send, read, redeliver, not '\(permission)'")
        }
    }

    func run() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let digest = SHA256Digest.hex(SHA256Digest.hash(Array(token.utf8)))
        print("""
            token: \(token)
            # agency.yaml, under api: clients:
                - name: \(name)
                  token-sha256: \(digest)
                  may: [\(may.joined(separator: ", "))]
            """)
    }
}
