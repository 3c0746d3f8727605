extension AdminServer {
    /// Where the admin server listens (`admin.listen` in `hub.yaml`).
    public struct Configuration: Sendable, Hashable {
        /// The address to bind; default `127.0.0.1` (loopback only). Use `0.0.0.0` for a
        /// Prometheus on another host.
        public var host: String
        /// The TCP port, 0 to 65535; default 9480. 0 binds a free port (see `boundAddress()`).
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 9480) {
            self.host = host
            self.port = port
        }
    }
}
