import DocRelayCore
import Foundation

extension AgentConfiguration {
    /// One client of the agent's HTTP API (`api.clients[]`): the agency's software, or one part
    /// of it. It proves who it is with a bearer token whose SHA-256 is configured (the token
    /// itself is never written in the file), and may do only what `may` lists.
    public struct APIClient: Sendable, Hashable {
        /// Its name, for logs and errors; unique among the clients.
        public var name: String
        /// The 32-byte SHA-256 of its bearer token.
        public var tokenSHA256: [UInt8]
        /// What it may do.
        public var permissions: Set<APIPermission>

        public init(name: String, tokenSHA256: [UInt8], permissions: Set<APIPermission>) {
            self.name = name
            self.tokenSHA256 = tokenSHA256
            self.permissions = permissions
        }
    }

    /// What an API client may do (`may:` in `api.clients[]`).
    public struct APIPermission: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String

        /// `POST /v1/documents` and `POST /v1/documents/{id}/status`: sign and publish as the agency.
        public static let send = APIPermission(rawValue: "send")
        /// `GET /v1/documents/{id}`: documents received, and those it sent itself.
        public static let read = APIPermission(rawValue: "read")
        /// `POST /v1/documents/{id}/redeliver`.
        public static let redeliver = APIPermission(rawValue: "redeliver")

        public static let all: [APIPermission] = [.send, .read, .redeliver]

        public var description: String { rawValue }
    }
}

extension ListenAddress {
    /// Whether only this host can reach it: `localhost`, `127.0.0.0/8` or `::1`.
    var isLoopback: Bool {
        let host = self.host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
