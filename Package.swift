// swift-tools-version:6.1
import PackageDescription

/// Upcoming language features on for every target (see docs/style.md).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "DocRelay",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "docrelay", targets: ["docrelay"]),
        .executable(name: "docrelay-bench", targets: ["DocRelayBench"]),
        .library(name: "DocRelayKafka", targets: ["DocRelayKafka"]),
        .library(name: "DocRelaySigning", targets: ["DocRelaySigning"]),
        .library(name: "DocRelayCore", targets: ["DocRelayCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // No traits: neither swift-configuration support nor full Foundation is used here.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The agent's durable state (SQLite) and its webhook client.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Hummingbird's own: the agent API reads request headers by name.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Child processes for the tests and the bench: Foundation's `Process.run()` over-reads
        // a buffer on Linux up to Swift 6.3.1 and crashed the test process
        // (swift-corelibs-foundation PR 5472); swift-subprocess closes descriptors in C.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C layer: system libraries only.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),

        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),

        // Kafka over librdkafka; knows nothing of documents.
        .target(
            name: "DocRelayKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),

        // CMS signatures, certificates, trust over OpenSSL; knows nothing of Kafka.
        .target(
            name: "DocRelaySigning",
            dependencies: ["COpenSSL"],
            swiftSettings: swiftSettings
        ),

        // Agency codes, the directory, the record envelope, edXML, the contract's topic names,
        // acks and error classes, configuration fields: pure and fast to test.
        .target(
            name: "DocRelayCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        // Documents as the relay and the agent see them alike: signing, and verifying as the
        // contract says. No Kafka.
        .target(
            name: "DocRelayDocuments",
            dependencies: [
                "DocRelaySigning",
                "DocRelayCore",
            ],
            swiftSettings: swiftSettings
        ),

        // What the relay and agent daemons share to run: trust (reloaded on SIGHUP and a
        // schedule), identity and Kafka settings read from their configuration, the broker probe
        // and the exit watchdog of `/healthz`.
        .target(
            name: "DocRelayDaemon",
            dependencies: [
                "DocRelayKafka",
                "DocRelaySigning",
                "DocRelayCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The relay: its service, configuration, metrics, retention, provisioning and dead-letter
        // operations.
        .target(
            name: "DocRelay",
            dependencies: [
                "DocRelayDocuments",
                "DocRelayDaemon",
                "DocRelayKafka",
                "DocRelaySigning",
                "DocRelayCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                // The CoreMetrics API only: the relay records, main picks the backend.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The admin HTTP port: Prometheus `/metrics` and `/healthz` over Hummingbird.
        .target(
            name: "DocRelayAdmin",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // Hummingbird's own dependency: the bound address of its channel.
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // The agency daemon: spool folder and HTTP API in, inbox folder and webhook out, its
        // state in SQLite.
        .target(
            name: "DocRelayAgent",
            dependencies: [
                "DocRelayDocuments",
                "DocRelayDaemon",
                "DocRelayKafka",
                "DocRelaySigning",
                "DocRelayCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        // The command line only.
        .executableTarget(
            name: "docrelay",
            dependencies: [
                "DocRelay",
                "DocRelayAdmin",
                "DocRelayAgent",
                "DocRelayDocuments",
                "DocRelayDaemon",
                "DocRelayKafka",
                "DocRelaySigning",
                "DocRelayCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // `make bench`: pass-through figures, raw librdkafka beside our layer, and the relay
        // itself run in-process against the same baseline.
        .executableTarget(
            name: "DocRelayBench",
            dependencies: [
                "CRdKafka",
                "DocRelay",
                "DocRelayCore",
                "DocRelayDocuments",
                "DocRelayKafka",
                "DocRelaySigning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),

        // Helpers shared by the test targets (clusters, timeouts, records, child processes).
        .target(
            name: "DocRelayTestSupport",
            dependencies: [
                "DocRelayKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/DocRelayTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DocRelayKafkaTests",
            dependencies: [
                "DocRelayKafka",
                "DocRelayTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DocRelaySigningTests",
            dependencies: [
                "DocRelaySigning", "DocRelayTestSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DocRelayCoreTests",
            dependencies: ["DocRelayCore", "DocRelayTestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DocRelayTests",
            dependencies: [
                "DocRelay",
                "DocRelayCore",
                "DocRelayDaemon",
                "DocRelayDocuments",
                "DocRelayTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DocRelayAdminTests",
            dependencies: [
                "DocRelayAdmin",
                "DocRelayTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DocRelayAgentTests",
            dependencies: [
                "DocRelayAgent", "DocRelayCore", "DocRelayDaemon", "DocRelayDocuments", "DocRelayKafka", "DocRelaySigning",
                "DocRelayTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "DocRelayCore",
                "DocRelayDocuments",
                "DocRelayKafka",
                "DocRelayTestSupport",
                "docrelay",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
    ]
)
