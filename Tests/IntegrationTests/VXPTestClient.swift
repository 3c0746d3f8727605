import AsyncHTTPClient
import DocRelayTestSupport
import Foundation
import NIOCore
import NIOHTTP1

/// A client of the national hub SDK's HTTP API written from ../shared/docs/vxp-sdk-protocol.md
/// alone (no SDK code), with the SDK's habits a server must tolerate: a timestamp set once for
/// the client's life, a parameter map never cleared (later calls resend earlier keys), the
/// `sendEdoc` body followed by one CRLF, `hash-file` printed without leading zeros. The HMAC is
/// computed by the `openssl` command line, not by DocRelay's code.
final class VXPTestClient: @unchecked Sendable {
    let endpoint: String
    let systemID: String
    let secret: String
    /// The map the SDK keeps: set once, added to by every call, never cleared.
    private var parameters: [String: String]

    init(endpoint: String, systemID: String, secret: String) {
        self.endpoint = endpoint
        self.systemID = systemID
        self.secret = secret
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "ddMMyyyy'T'HHmmss"
        // `+SSSS`: milliseconds, not a zone.
        parameters = ["timestamp": formatter.string(from: Date()) + "+0042", "systemid": systemID]
    }

    struct Answer {
        let status: Int
        let body: [UInt8]
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One operation: `parameters` added to the map, every entry sent as `XroadVnpt-<k>` and
    /// inside the signed JSON.
    func call(
        _ operation: String, method: String = "POST", parameters new: [String: String] = [:], body: [UInt8]? = nil,
        contentType: String = "application/json"
    ) async throws -> Answer {
        parameters.merge(new) { $1 }
        parameters["Content-Type"] = contentType
        var headers: [(String, String)] = parameters.map { ("XroadVnpt-\($0.key)", $0.value) }
        let signed = Dictionary(uniqueKeysWithValues: headers)
        let json = String(decoding: try JSONSerialization.data(withJSONObject: signed), as: UTF8.self)
        headers.append(("XroadVnpt-sign-header-key", parameters.keys.joined(separator: ";")))
        headers.append(("XroadVnpt-sign-header", json))
        headers.append(("XroadVnpt-hash-header", try await Self.hmac(key: secret, message: json)))
        headers.append(("User-Agent", "JAVASDKAgent/1.0.0 XRoad/VPCP"))
        headers.append(("XroadVnpt-version", "3.0.201608"))
        var request = HTTPClientRequest(url: "\(endpoint)/\(operation)")
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Type", value: contentType)
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Answer(status: Int(response.status.code), body: Array(buffer: bytes))
    }

    /// `sendEdoc`: the file followed by CRLF, with `from`, `messagetype` and the unpadded `hash-file`.
    func sendEdoc(_ file: [UInt8], from: String, messageType: String = "edoc") async throws -> Answer {
        let digest = try await Self.sha256(file)
        let unpadded = stride(from: 0, to: digest.count, by: 2).map { index -> String in
            let pair = digest[digest.index(digest.startIndex, offsetBy: index)...].prefix(2)
            return pair.hasPrefix("0") ? String(pair.dropFirst()) : String(pair)
        }.joined()
        return try await call(
            "sendEdoc", parameters: ["from": from, "servicetype": "eDoc", "messagetype": messageType, "hash-file": unpadded],
            body: file + [0x0D, 0x0A], contentType: "application/octet-stream")
    }

    /// Lowercase hex HMAC-SHA256 by `openssl dgst`.
    static func hmac(key: String, message: String) async throws -> String {
        try await openssl(["dgst", "-sha256", "-hmac", key], input: Data(message.utf8))
    }

    static func sha256(_ bytes: [UInt8]) async throws -> String {
        try await openssl(["dgst", "-sha256"], input: Data(bytes))
    }

    private static func openssl(_ arguments: [String], input: Data) async throws -> String {
        guard let openssl = which("openssl") else { throw HarnessError("the openssl command is needed") }
        let result = try await run(openssl, arguments, input: input)
        guard result.exitCode == 0, let digest = result.standardOutput.split(separator: " ").last else {
            throw HarnessError("openssl \(arguments.joined(separator: " ")): \(result.standardError)")
        }
        return digest.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
