@testable import DocRelayAgent
import DocRelaySigning
import Foundation

/// Requests signed as vxp-sdk-protocol.md describes the SDK's: each parameter as an
/// `XroadVnpt-<k>` header, the sign header a compact JSON object of them, and the hash header the
/// hex HMAC-SHA256 of that text keyed by the secret's UTF-8 bytes.
enum SDKTestRequests {
    static let system = AgentConfiguration.System(id: "000.00.00.G22", secret: Array("c2VjcmV0LWcyMg==".utf8), maySendAs: ["000.00.00.G22"])

    /// The request headers for `parameters` (systemid and a frozen timestamp added), signed with
    /// `secret`; `signJSON` replaces the sign header's text when given.
    static func headers(
        _ parameters: [(String, String)], systemID: String = system.id, secret: String = "c2VjcmV0LWcyMg==", signJSON: String? = nil
    ) -> [String: String] {
        let all = [("timestamp", "01122026T090000+0123"), ("systemid", systemID), ("Content-Type", "application/json")] + parameters
        var headers: [String: String] = [:]
        for (key, value) in all { headers["XroadVnpt-\(key)".lowercased()] = value }
        let json = signJSON ?? "{" + all.map { "\"XroadVnpt-\($0.0)\":\"\($0.1)\"" }.joined(separator: ",") + "}"
        headers["xroadvnpt-sign-header-key"] = all.map(\.0).joined(separator: ";")
        headers["xroadvnpt-sign-header"] = json
        headers["xroadvnpt-hash-header"] = HMACSHA256.hex(key: Array(secret.utf8), message: Array(json.utf8))
        return headers
    }

    static func authenticate(_ headers: [String: String], systems: [AgentConfiguration.System] = [system]) -> Result<SDKRequest, SDKFailure> {
        SDKRequest.authenticate(header: { headers[$0.lowercased()] }, systems: systems)
    }

    static func request(_ parameters: [(String, String)]) throws -> SDKRequest {
        try authenticate(headers(parameters)).get()
    }
}
