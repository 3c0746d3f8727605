import DocRelayCore
import Foundation
import Yams

extension AgentConfiguration {
    /// The national hub SDK's API on the agent's HTTP port (agency.yaml `sdk:`, issue 14;
    /// docs/sdk-compatibility.md):
    ///
    /// ```yaml
    /// sdk:
    ///   path: /XrdAdapter/adapter     # base path: operations are <path>/<operation>; default as shown
    ///   secrets: sdk-secrets          # "<system id> <secret>" per line; no group or world permission bits
    ///   systems:
    ///     - id: 000.00.00.G22         # the SDK's systemId
    ///       may-send-as: [000.00.00.G22]  # the From codes it may send as; default: this agency
    /// ```
    public struct SDK: Sendable, Hashable {
        /// The base path, starting with `/`, without a trailing one.
        public var basePath: String
        /// The systems that may call it, each with its secret.
        public var systems: [System]
    }

    /// One agency system (an SDK client): its id, its secret (the HMAC key: the secret's UTF-8
    /// bytes, as the SDK configures it) and the codes it may send as.
    public struct System: Sendable, Hashable {
        public var id: String
        public var secret: [UInt8]
        public var maySendAs: [String]
    }

    /// Reads `sdk:`; the secrets file is read here, and refused when its mode gives any permission
    /// to the group or to others: the HMAC check needs each secret itself, so the file stands for
    /// the secrets, and only the agent's user may read it.
    static func sdk(_ top: YAMLMapping, path: String, agency: String) throws(ConfigurationError) -> SDK? {
        guard let node = try top.node("sdk", required: nil) else { return nil }
        let fields = try YAMLMapping(node, path: path, entry: nil, key: "sdk", keyPrefix: "sdk.",
                                     known: ["path", "secrets", "systems"], what: "a mapping with path, secrets, systems")
        let base = try fields.string("path", required: nil, what: "a path such as /XrdAdapter/adapter") ?? "/XrdAdapter/adapter"
        guard base.hasPrefix("/"), !base.hasSuffix("/"), !base.hasPrefix("/v1"), base != "/healthz",
              base.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "%") }) else {
            throw fields.error(try fields.node("path", required: nil), key: "path",
                               "a path starting with / and not ending with one, outside /v1 and /healthz, in plain ASCII, not '\(base)'")
        }
        let secretsText = try fields.requiredString(
            "secrets", required: "the file of the systems' secrets (\"<system id> <secret>\" per line)", what: "a file path")
        let secretsPath = Directory.resolve(secretsText, relativeTo: path)
        let secrets = try readSecrets(secretsPath, fields: fields)
        guard let items = try fields.list("systems", required: "the systems that may call the API: [{ id, may-send-as }]", what: "a list"),
              !items.isEmpty else {
            throw fields.error(try fields.node("systems", required: nil), key: "systems", "at least one system ({ id, may-send-as })")
        }
        var systems: [System] = []
        for (index, item) in items.enumerated() {
            let entry = "sdk.systems[\(index)]"
            let system = try YAMLMapping(item, path: path, entry: nil, key: entry, keyPrefix: entry + ".",
                                         known: ["id", "may-send-as"], what: "a mapping with id, may-send-as")
            let id = try system.requiredString("id", required: "the system id the SDK is configured with", what: "a system id")
            guard !id.isEmpty, id.utf8.count <= 128, id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
                throw system.error(try system.node("id", required: nil), key: "id", "a system id of 1 to 128 printable ASCII characters, not '\(id)'")
            }
            guard !systems.contains(where: { $0.id == id }) else {
                throw system.error(try system.node("id", required: nil), key: "id", "each system once, not '\(id)' again")
            }
            guard let secret = secrets[id] else {
                throw system.error(try system.node("id", required: nil), key: "id",
                                   "a system with a secret in \(secretsPath) (a line \"\(id) <secret>\"), not '\(id)'")
            }
            var codes = [agency]
            if let list = try system.list("may-send-as", required: nil, what: "a list of agency codes") {
                codes = []
                for code in list {
                    let text = try system.text(code, key: "may-send-as", what: "an agency code")
                    // The agent signs with this agency's key only: another From would be refused as `sender`.
                    guard text == agency else {
                        throw system.error(code, key: "may-send-as", "\(agency), the agency this agent signs for, not '\(text)'")
                    }
                    codes.append(text)
                }
            }
            systems.append(System(id: id, secret: secret, maySendAs: codes))
        }
        return SDK(basePath: base, systems: systems)
    }

    /// `<system id> <secret>` per line (blank lines and `#` comments skipped); the file's mode
    /// must give nothing to group or others.
    private static func readSecrets(_ file: String, fields: YAMLMapping) throws(ConfigurationError) -> [String: [UInt8]] {
        let node = try fields.node("secrets", required: nil)
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: file)
        } catch {
            throw fields.error(node, key: "secrets", "a readable file of secrets, not \(file) (\(error.localizedDescription))")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw fields.error(node, key: "secrets",
                               "a file only the agent's user may read (chmod 600 \(file)), not one of mode \(String(mode, radix: 8))")
        }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw fields.error(node, key: "secrets", "a readable UTF-8 file of secrets, not \(file)")
        }
        var secrets: [String: [UInt8]] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2 else {
                throw fields.error(node, key: "secrets", "lines \"<system id> <secret>\" in \(file), not line \(number + 1) with no secret")
            }
            secrets[String(parts[0])] = Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)
        }
        return secrets
    }
}
