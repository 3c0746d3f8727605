import Foundation
import Hummingbird

/// `GET /healthz`: 200 with `{"status":"ok",…}` or `{"status":"degraded","warnings":[…],…}`, or 503
/// with `{"status":"unhealthy","reasons":[…],…}`.
struct HealthRoute: Sendable {
    let check: any HealthCheck

    @Sendable func respond(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let report = await check.health()
        let body = try JSONBody.encode(HealthBody(report))
        return Response(
            status: report.isHealthy ? .ok : .serviceUnavailable,
            headers: [.contentType: JSONBody.contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: body)
        )
    }
}

/// The JSON of a ``HealthReport``.
struct HealthBody: Codable, Equatable {
    var status: String
    var reasons: [String]
    var warnings: [String]
    var details: [String: String]

    init(_ report: HealthReport) {
        self.status = report.status
        self.reasons = report.reasons
        self.warnings = report.warnings
        self.details = report.details
    }
}

/// JSON bodies of the admin port: sorted keys, so that output is stable.
enum JSONBody {
    static let contentType = "application/json; charset=utf-8"

    static func encode(_ value: some Encodable) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: try encoder.encode(value))
    }
}
