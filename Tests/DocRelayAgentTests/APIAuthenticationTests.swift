@testable import DocRelayAgent
import DocRelayCore
import Foundation
import Testing

@Suite("The agent API's clients: tokens matched by digest, loopback told apart")
struct APIAuthenticationTests {
    /// SHA-256 of `token-a` and `token-b` (`printf %s token-a | sha256sum`).
    static let digests = ["token-a": "a70bf50e531ce1a817561f2f5d5b6645d4e806becf58ccc5e8cf6b8045a090a8", "token-b": "49e2bb7eab54cf09b409ffafd3fa8a8a955a60eb972faacaefbed3dbd3207132"]

    static func client(_ name: String, token: String, may: Set<AgentConfiguration.APIPermission>) -> AgentConfiguration.APIClient {
        .init(name: name, tokenSHA256: AgentConfiguration.bytes(hex: digests[token] ?? "") ?? [], permissions: may)
    }

    @Test("A token finds its client; another token, a prefix, or the digest itself finds none")
    func tokens() {
        let authentication = APIAuthentication(clients: [
            Self.client("van-thu", token: "token-a", may: [.send]), Self.client("bao-cao", token: "token-b", may: [.read]),
        ])
        #expect(authentication.isEnabled)
        #expect(authentication.client(token: "token-a")?.name == "van-thu")
        #expect(authentication.client(token: "token-b")?.name == "bao-cao")
        #expect(authentication.client(token: "token-") == nil)
        #expect(authentication.client(token: "") == nil)
        #expect(authentication.client(token: Self.digests["token-a"] ?? "") == nil)
        #expect(!APIAuthentication(clients: []).isEnabled)
        #expect(APIAuthentication.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!APIAuthentication.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!APIAuthentication.constantTimeEqual([1, 2], [1, 2, 3]))
    }

    @Test("Loopback: 127.0.0.0/8, ::1, localhost; anything else is reachable by other hosts", arguments: [
        ("127.0.0.1", true), ("127.10.0.254", true), ("localhost", true), ("[::1]", true), ("::1", true),
        ("0.0.0.0", false), ("[::]", false), ("10.0.0.5", false), ("127.0.0", false), ("127.0.0.256", false),
        ("agent.example", false), ("", false),
    ])
    func loopback(host: String, isLoopback: Bool) {
        #expect(ListenAddress(host: host, port: 9580).isLoopback == isLoopback)
    }
}
