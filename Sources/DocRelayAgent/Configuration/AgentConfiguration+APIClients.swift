import DocRelayCore
import Foundation
import Yams

extension AgentConfiguration {
    /// Where the API listens (`api.listen`, default `127.0.0.1:9580`) and who may call it
    /// (`api.clients`). Whoever reaches the API signs with the agency's key, so an address other
    /// hosts can reach is refused without clients.
    static func apiAccess(_ fields: YAMLMapping) throws(ConfigurationError) -> (ListenAddress, [APIClient]) {
        var listen = ListenAddress(host: "127.0.0.1", port: 9580)
        if let text = try fields.string("listen", required: nil, what: "host:port") {
            listen = try ConfigurationFields.address(text, fields)
        }
        var clients: [APIClient] = []
        if let items = try fields.list("clients", required: nil, what: "a list of clients ({ name, token-sha256, may })") {
            guard !items.isEmpty else {
                throw fields.error(try fields.node("clients", required: nil), key: "clients",
                                   "at least one client ({ name, token-sha256, may }); omit the key for none (loopback only)")
            }
            for (index, item) in items.enumerated() {
                let client = try apiClient(item, index: index, fields: fields)
                if let twin = clients.first(where: { $0.name == client.name || $0.tokenSHA256 == client.tokenSHA256 }) {
                    throw ConfigurationError(
                        path: fields.path, line: item.mark?.line, entry: nil, key: "api.clients[\(index)]",
                        expected: "a name and a token of its own, not those of \(twin.name)")
                }
                clients.append(client)
            }
        }
        guard listen.isLoopback || !clients.isEmpty else {
            throw fields.error(try fields.node("listen", required: nil), key: "clients",
                               "API clients (api.clients: [{ name, token-sha256, may }]) when api.listen is not a loopback address: "
                                   + "\(listen) lets other hosts sign documents with the agency's key")
        }
        return (listen, clients)
    }

    private static func apiClient(_ node: Node, index: Int, fields: YAMLMapping) throws(ConfigurationError) -> APIClient {
        let entry = "api.clients[\(index)]"
        let client = try YAMLMapping(node, path: fields.path, entry: nil, key: entry, keyPrefix: entry + ".",
                                     known: ["name", "token-sha256", "may"], what: "a mapping with name, token-sha256, may")
        let name = try client.requiredString("name", required: "the client's name", what: "a name")
        guard !name.isEmpty, name.count <= 64 else {
            throw client.error(try client.node("name", required: nil), key: "name", "a name of 1 to 64 characters")
        }
        let hex = try client.requiredString(
            "token-sha256", required: "the hex SHA-256 of the client's token (docrelay agent token prints both)", what: "64 hex digits")
        guard let digest = Self.bytes(hex: hex), digest.count == 32 else {
            throw client.error(try client.node("token-sha256", required: nil), key: "token-sha256",
                               "64 hex digits (the SHA-256 of the token, not the token), not a text of \(hex.count) characters")
        }
        let known = APIPermission.all.map(\.rawValue)
        let items = try client.list("may", required: "what the client may do: a list of \(known.joined(separator: ", "))", what: "a list")
        var permissions: Set<APIPermission> = []
        for item in items ?? [] {
            let text = try client.text(item, key: "may", what: "one of \(known.joined(separator: ", "))")
            guard let permission = APIPermission.all.first(where: { $0.rawValue == text }) else {
                throw client.error(item, key: "may", "one of \(known.joined(separator: ", ")), not '\(text)'")
            }
            permissions.insert(permission)
        }
        guard !permissions.isEmpty else {
            throw client.error(try client.node("may", required: nil), key: "may", "at least one of \(known.joined(separator: ", "))")
        }
        return APIClient(name: name, tokenSHA256: digest, permissions: permissions)
    }

    /// The bytes of a hex text (either case), or nil.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
