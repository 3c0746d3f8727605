@testable import DocRelayAgent
import DocRelayCore
import Foundation
import Testing

@Suite("agency.yaml: parsed with defaults, refused with the file, line and key")
struct AgentConfigurationTests {
    let path = "/etc/docrelay/agency.yaml"

    @Test("A full configuration: paths relative to the file, durations, webhook, API")
    func full() throws {
        let configuration = try AgentConfiguration.parse("""
            agency: 000.00.00.G22
            directory: directory.yaml
            trust: { anchors: [pki/ca.pem], crls: [pki/ca.crl], reload-every: 10m }
            identity: { certificate: pki/g22.pem, key: pki/g22.key }
            state: /var/lib/docrelay/g22
            send: { spool: spool, scan-interval: 500ms, concurrency: 8 }
            receive:
              inbox: inbox
              webhook: { url: "https://qlvb.example.gov.vn/hook", timeout: 5s, first-retry: 2s, max-retry: 5m, give-up-after: 2h }
              received-status: false
            api:
              listen: 0.0.0.0:9580
              broker-unreachable-after: 10s
              stall-after: 2m
              lag-growing-for: 10m
              clients:
                - { name: qlvb, token-sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, may: [send, read] }
                - { name: giam-sat, token-sha256: 0000D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08, may: [read] }
            """, path: path)
        #expect(configuration.agency == "000.00.00.G22")
        #expect(configuration.directoryPath == "/etc/docrelay/directory.yaml")
        #expect(configuration.crlFiles == ["/etc/docrelay/pki/ca.crl"])
        #expect(configuration.trustReloadEvery == .seconds(600))
        #expect(configuration.stateFolder == "/var/lib/docrelay/g22")
        #expect(configuration.send?.spool == "/etc/docrelay/spool")
        #expect(configuration.send?.scanInterval == .milliseconds(500))
        #expect(configuration.send?.concurrency == 8)
        #expect(configuration.receive?.inbox == "/etc/docrelay/inbox")
        #expect(configuration.receive?.webhook?.giveUpAfter == .seconds(7_200))
        #expect(configuration.receive?.webhook?.maxRetry == .seconds(300))
        #expect(configuration.receive?.sendsReceivedStatus == false)
        #expect(configuration.receive?.group == "docrelay-agent-000.00.00.G22")
        #expect(configuration.apiListen == .init(host: "0.0.0.0", port: 9580))
        #expect(configuration.apiClients.map(\.name) == ["qlvb", "giam-sat"])
        #expect(configuration.apiClients.first?.tokenSHA256.first == 0x9f)
        #expect(configuration.apiClients.first?.permissions == [.send, .read])
        #expect(configuration.apiClients.last?.permissions == [.read])
        #expect(configuration.health == Liveness.Thresholds(
            brokerUnreachableAfter: .seconds(10), stallAfter: .seconds(120), lagGrowingFor: .seconds(600)))
    }

    @Test("Defaults: state beside the file, scan every second, status 01 on, no API")
    func defaults() throws {
        let configuration = try AgentConfiguration.parse("""
            agency: 000.00.00.G22
            directory: d.yaml
            trust: { anchors: [ca.pem] }
            identity: { certificate: c.pem, key: k.pem }
            receive: { inbox: inbox }
            """, path: path)
        #expect(configuration.stateFolder == "/etc/docrelay/agent-state")
        #expect(configuration.send == nil)
        #expect(configuration.receive?.sendsReceivedStatus == true)
        #expect(configuration.apiListen == nil)
        #expect(configuration.health == Liveness.Thresholds(
            brokerUnreachableAfter: .seconds(30), stallAfter: .seconds(60), lagGrowingFor: .seconds(300)))
        #expect(configuration.trustReloadEvery == .seconds(3600))
    }

    @Test("Each mistake names the line, the key and what was expected", arguments: [
        ("receive: { inbox: i }\nsend: { scan-interval: soon }", 6, "send.scan-interval", "a duration"),
        ("receive: { inbox: i }\nsend: { concurrency: 0 }", 6, "send.concurrency", "a whole number from 1"),
        ("receive: { inbox: i, colour: blue }", 5, "receive.colour", "one of the known keys"),
        ("receive: { webhook: { url: 'mailto:x@y' } }", 5, "receive.webhook.url", "http:// or https://"),
        ("receive: { webhook: { url: 'http://h', first-retry: 1m, max-retry: 1s } }", 5, "receive.webhook.max-retry", "no shorter than first-retry"),
        ("receive: { inbox: i, received-status: perhaps }", 5, "receive.received-status", "true or false"),
        ("receive: { inbox: i }\napi: { listen: nowhere }", 6, "api.listen", "host:port"),
        ("receive: {}", 5, "receive.inbox", "an inbox folder"),
        ("receive: { inbox: i }\napi: { listen: 0.0.0.0:9580 }", 6, "api.clients", "when api.listen is not a loopback address"),
        ("receive: { inbox: i }\napi: { listen: '192.168.1.5:9580' }", 6, "api.clients", "lets other hosts sign"),
        ("receive: { inbox: i }\napi:\n  listen: 0.0.0.0:1\n  clients: []", 8, "api.clients", "at least one client"),
        ("receive: { inbox: i }\napi:\n  clients:\n    - { name: a, token-sha256: secret, may: [send] }", 8, "api.clients[0].token-sha256", "64 hex digits"),
        ("receive: { inbox: i }\napi:\n  clients:\n    - { name: a, token-sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, may: [sign] }", 8, "api.clients[0].may", "one of send, read, redeliver"),
        ("receive: { inbox: i }\napi:\n  clients:\n    - { name: a, token-sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 }", 8, "api.clients[0].may", "the key is required"),
        ("receive: { inbox: i }\napi:\n  clients:\n    - { name: a, token-sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, may: [read] }\n    - { name: a, token-sha256: 1186d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, may: [send] }", 9, "api.clients[1]", "a name and a token of its own"),
        ("receive: { inbox: i }\napi: { listen: 127.0.0.1:0, broker-unreachable-after: 0s }", 6, "api.broker-unreachable-after", "a duration from"),
        ("receive: { inbox: i }\napi:\n  listen: 127.0.0.1:0\n  stall-after: later", 8, "api.stall-after", "a duration"),
    ] as [(String, Int, String, String)])
    func mistakes(tail: String, line: Int, key: String, expected: String) {
        let yaml = "agency: 000.00.00.G22\ndirectory: d.yaml\ntrust: { anchors: [ca.pem] }\nidentity: { certificate: c.pem, key: k.pem }\n" + tail
        refused(yaml, line: line, key: key, expected: expected)
    }

    private func refused(_ yaml: String, line: Int, key: String, expected: String) {
        do {
            _ = try AgentConfiguration.parse(yaml, path: path)
            Issue.record("accepted: \(yaml)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.key == key, "\(error)")
            #expect(error.expected.contains(expected), "\(error)")
            #expect(error.description.contains(path))
        }
    }

    @Test("trust.reload-every: 0 reloads on SIGHUP only; a bad value names the file, line and key")
    func trustReloadEvery() throws {
        let head = "agency: 000.00.00.G22\ndirectory: d.yaml\n"
        let tail = "\nidentity: { certificate: c.pem, key: k.pem }\nreceive: { inbox: i }\n"
        #expect(try AgentConfiguration.parse(head + "trust: { anchors: [ca.pem], reload-every: 0 }" + tail, path: path).trustReloadEvery == nil)
        refused(head + "trust: { anchors: [ca.pem], reload-every: 2s }" + tail, line: 3, key: "trust.reload-every",
                expected: "a duration from 10s to 30d such as 15m or 1h, or 0 to reload only on SIGHUP, not '2s'")
    }

    @Test("The API listens on loopback by default, and needs no clients there")
    func loopbackByDefault() throws {
        let yaml = "agency: 000.00.00.G22\ndirectory: d.yaml\ntrust: { anchors: [ca.pem] }\nidentity: { certificate: c.pem, key: k.pem }\nreceive: { inbox: i }\n"
        let configuration = try AgentConfiguration.parse(yaml + "api: { stall-after: 2m }", path: path)
        #expect(configuration.apiListen == .init(host: "127.0.0.1", port: 9580))
        #expect(configuration.apiClients.isEmpty)
        for listen in ["127.0.0.1:9580", "127.0.0.53:9580", "localhost:9580", "'[::1]:9580'"] {
            #expect(try AgentConfiguration.parse(yaml + "api: { listen: \(listen) }", path: path).apiListen?.port == 9580)
        }
    }
}
