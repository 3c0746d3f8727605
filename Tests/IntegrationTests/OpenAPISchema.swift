import DocRelayTestSupport
import Foundation
import Yams

/// docs/agent-api.yaml, read for the conformance test: which statuses each operation documents,
/// and a check of a JSON body against the schema documented for a status. Supports what the
/// document uses: `$ref` to components, `type`, `required`, `properties`, `items`, `enum`.
struct OpenAPISchema {
    let document: [String: Any]

    init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        guard let document = try Yams.load(yaml: text) as? [String: Any] else {
            throw HarnessError("\(url.path): not a YAML mapping")
        }
        self.document = document
    }

    /// `(method, path template)` of every operation.
    var operations: [(method: String, path: String)] {
        let paths = document["paths"] as? [String: Any] ?? [:]
        return paths.flatMap { path, value in
            ((value as? [String: Any]) ?? [:]).keys.filter { ["get", "post", "put", "delete", "patch"].contains($0) }
                .map { ($0.uppercased(), path) }
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    /// The problems of an answer to `method path`: an undocumented status, or a body that does
    /// not match the status's schema. Empty when it conforms.
    func problems(method: String, path: String, status: Int, body: [UInt8]) -> [String] {
        guard let operation = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method.lowercased()] as? [String: Any] else {
            return ["\(method) \(path) is not in the document"]
        }
        let responses = operation["responses"] as? [String: Any] ?? [:]
        guard let response = responses[String(status)] as? [String: Any] else {
            return ["\(method) \(path) answered \(status), which it does not document (\(responses.keys.sorted().joined(separator: ", ")))"]
        }
        guard let content = response["content"] as? [String: Any],
              let schema = (content["application/json"] as? [String: Any])?["schema"]
        else { return [] }
        guard let json = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) else {
            return ["\(method) \(path) \(status): the body is not JSON: \(String(decoding: body.prefix(200), as: UTF8.self))"]
        }
        return validate(json, against: schema, at: "\(method) \(path) \(status) body")
    }

    private func resolve(_ schema: Any) -> [String: Any] {
        guard let mapping = schema as? [String: Any] else { return [:] }
        if let reference = mapping["$ref"] as? String, reference.hasPrefix("#/components/schemas/") {
            let name = String(reference.dropFirst("#/components/schemas/".count))
            let components = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
            return resolve(components?[name] as Any)
        }
        return mapping
    }

    private func validate(_ value: Any, against rawSchema: Any, at location: String) -> [String] {
        let schema = resolve(rawSchema)
        var problems: [String] = []
        if let values = schema["enum"] as? [Any] {
            let allowed = values.map { "\($0)" }
            if !allowed.contains("\(value)") { problems.append("\(location): '\(value)' is not one of \(allowed)") }
        }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return problems + ["\(location): not an object"] }
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(location): the required '\(key)' is missing")
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, item) in object {
                guard let property = properties[key] else {
                    problems.append("\(location): '\(key)' is not documented")
                    continue
                }
                problems += validate(item, against: property, at: "\(location).\(key)")
            }
        case "array":
            guard let array = value as? [Any] else { return problems + ["\(location): not an array"] }
            for (index, item) in array.enumerated() {
                problems += validate(item, against: schema["items"] as Any, at: "\(location)[\(index)]")
            }
        case "string":
            if !(value is String) { problems.append("\(location): not a string") }
        case "integer":
            // JSONSerialization gives NSNumbers: 0 and 1 pass as Bool too, so ask for an Int.
            if (value as? Int) == nil || value is String { problems.append("\(location): not an integer") }
        case "boolean":
            if (value as? Bool) == nil || value is String { problems.append("\(location): not a boolean") }
        default:
            break
        }
        return problems
    }
}
