@testable import DocRelay
import DocRelayCore
import Testing

/// Issue 11, point 3: hub.yaml's `trust.reload-every`, how often the trust files (CRLs above
/// all) are read again besides SIGHUP.
@Suite("hub.yaml trust.reload-every: default 1h, 0 for SIGHUP only, a bad value named")
struct TrustConfigurationTests {
    private func configuration(trust: String) throws(ConfigurationError) -> RelayConfiguration {
        try RelayConfiguration.parse("""
            hub: national
            directory: directory.yaml
            trust: \(trust)
            identity: { certificate: hubs/national.pem, key: hubs/national.key }
            """, path: "/etc/docrelay/hub.yaml")
    }

    @Test("Default 1h; a duration; 0 or 0s: reloaded on SIGHUP only; the CRL files resolved beside hub.yaml")
    func values() throws {
        #expect(try configuration(trust: "{ anchors: [ca.pem] }").trustReloadEvery == .seconds(3600))
        let configured = try configuration(trust: "{ anchors: [ca.pem], crls: [pki/ca.crl, pki/sub.crl], reload-every: 15m }")
        #expect(configured.trustReloadEvery == .seconds(900))
        #expect(configured.crlFiles == ["/etc/docrelay/pki/ca.crl", "/etc/docrelay/pki/sub.crl"])
        #expect(try configuration(trust: "{ anchors: [ca.pem], reload-every: 0 }").trustReloadEvery == nil)
        #expect(try configuration(trust: "{ anchors: [ca.pem], reload-every: 0s }").trustReloadEvery == nil)
        #expect(try configuration(trust: "{ anchors: [ca.pem], reload-every: 30d }").trustReloadEvery == .seconds(30 * 86_400))
    }

    @Test("A bad reload-every names the file, the line, the key and what was expected", arguments: [
        "soon", "5s", "31d", "1", "-1h",
    ])
    func refusals(value: String) {
        do {
            _ = try configuration(trust: "{ anchors: [ca.pem], reload-every: \(value) }")
            Issue.record("accepted reload-every: \(value)")
        } catch {
            #expect(error.path == "/etc/docrelay/hub.yaml")
            #expect(error.line == 3, "\(error)")
            #expect(error.key == "trust.reload-every", "\(error)")
            #expect(error.expected == "a duration from 10s to 30d such as 15m or 1h, or 0 to reload only on SIGHUP, not '\(value)'",
                    "\(error)")
        }
    }

    @Test("An unknown trust key lists reload-every among the known ones")
    func unknownKey() {
        #expect {
            try configuration(trust: "{ anchors: [ca.pem], reload: 1h }")
        } throws: { error in
            "\(error)".contains("key 'trust.reload': expected one of the known keys (anchors, intermediates, crls, reload-every)")
        }
    }
}
