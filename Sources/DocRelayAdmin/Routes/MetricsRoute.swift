import Hummingbird
import Prometheus

/// `GET /metrics`: every metric of the registry in Prometheus' text exposition format 0.0.4,
/// with the `# HELP` lines of `help`.
struct MetricsRoute: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let registry: PrometheusCollectorRegistry
    let help: MetricHelp

    @Sendable func respond(_ request: Request, context: BasicRequestContext) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 * 1024)
        registry.emit(into: &bytes)
        return Response(
            status: .ok,
            headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: help.adding(to: bytes)))
        )
    }
}
