import DocRelaySigning
import Foundation

/// A request of the national hub SDK, authenticated: who sent it and the parameters it signed
/// (vxp-sdk-protocol.md, "Authentication"). Only signed values are ever read.
struct SDKRequest: Sendable {
    let system: AgentConfiguration.System
    /// The signed parameters, by their bare name (`XroadVnpt-` dropped).
    let parameters: [String: String]

    /// A parameter by name, ignoring case (`docId` and `docid` both occur); empty values are absent.
    func parameter(_ name: String) -> String? {
        let wanted = name.lowercased()
        return parameters.first { $0.key.lowercased() == wanted && !$0.value.isEmpty }?.value
    }

    /// The header prefix of every SDK parameter.
    static let prefix = "XroadVnpt-"

    /// Checks a request's signature as the SDK makes it:
    /// 1. the secret is found by the `XroadVnpt-systemid` header (unknown: refused);
    /// 2. `XroadVnpt-hash-header` is the lowercase hex HMAC-SHA256, keyed by the secret's UTF-8
    ///    bytes, of the `XroadVnpt-sign-header` value exactly as received (never re-serialised),
    ///    compared in constant time;
    /// 3. the values are read from that JSON object (in any order), and its systemid must be the
    ///    header's.
    /// The timestamp is not checked: the SDK freezes it for the life of its client object.
    /// - Parameter header: a request header's value by name (case-insensitive, as HTTP).
    static func authenticate(
        header: (String) -> String?, systems: [AgentConfiguration.System]
    ) -> Result<SDKRequest, SDKFailure> {
        guard let systemID = header(prefix + "systemid"), !systemID.isEmpty else {
            return .failure(SDKFailure("missing header XroadVnpt-systemid"))
        }
        guard let system = systems.first(where: { $0.id == systemID }) else {
            return .failure(SDKFailure("unknown system id \(systemID): not registered with this agent"))
        }
        guard let signed = header(prefix + "sign-header"), let hash = header(prefix + "hash-header") else {
            return .failure(SDKFailure("missing header XroadVnpt-sign-header or XroadVnpt-hash-header"))
        }
        let expected = Array(HMACSHA256.hex(key: system.secret, message: Array(signed.utf8)).utf8)
        guard constantTimeEqual(expected, Array(hash.lowercased().utf8)) else {
            return .failure(SDKFailure("signature does not verify for system \(systemID) (XroadVnpt-hash-header): wrong secret or altered headers"))
        }
        guard let parameters = signedParameters(signed) else {
            return .failure(SDKFailure("XroadVnpt-sign-header is not a JSON object of text values"))
        }
        let request = SDKRequest(system: system, parameters: parameters)
        guard request.parameter("systemid") == systemID else {
            return .failure(SDKFailure("the signed systemid is not the XroadVnpt-systemid header \(systemID)"))
        }
        return .success(request)
    }

    /// The signed JSON object's entries, `XroadVnpt-` dropped from each name; numbers and
    /// booleans as their text (the protocol sends text, but nothing says it must).
    static func signedParameters(_ text: String) -> [String: String]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        var parameters: [String: String] = [:]
        for (key, value) in object {
            let name = key.lowercased().hasPrefix(prefix.lowercased()) ? String(key.dropFirst(prefix.count)) : key
            switch value {
            case let text as String: parameters[name] = text
            case let number as NSNumber: parameters[name] = number.stringValue
            case is NSNull: continue
            default:
                // `to` may carry JSON (its form is open): kept as compact JSON text.
                guard let data = try? JSONSerialization.data(withJSONObject: value) else { continue }
                parameters[name] = String(decoding: data, as: UTF8.self)
            }
        }
        return parameters
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Why an SDK operation answers `FAIL`: an ASCII reason for `ErrorDesc` (the SDK reads the
/// `sendEdoc` answer as US-ASCII; non-ASCII left in a reason is written as `\uXXXX`).
struct SDKFailure: Error, Sendable, Equatable, CustomStringConvertible {
    let reason: String
    /// `ErrorCode`: never `"0"`.
    let code: String

    init(_ reason: String, code: String = "1") {
        self.reason = reason
        self.code = code
    }

    var description: String { reason }
}
