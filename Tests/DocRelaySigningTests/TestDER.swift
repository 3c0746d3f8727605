/// A minimal DER reader and writer for the tests, independent of the code under test, to take
/// signatures apart and put them together differently (reordered, BER, extra certificates).
indirect enum TestDER: Equatable {
    /// A primitive element: its identifier octet and content.
    case primitive(UInt8, [UInt8])
    /// A constructed element: its identifier octet and children.
    case constructed(UInt8, [TestDER])

    struct Malformed: Error {}

    /// Parses one element that fills `bytes`; primitive unless the constructed bit is set.
    static func parse(_ bytes: [UInt8]) throws -> TestDER {
        var position = 0
        let element = try parse(bytes, &position)
        guard position == bytes.count else { throw Malformed() }
        return element
    }

    private static func parse(_ bytes: [UInt8], _ position: inout Int) throws -> TestDER {
        guard position + 2 <= bytes.count else { throw Malformed() }
        let tag = bytes[position]
        var length = Int(bytes[position + 1])
        position += 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count > 0, count <= 3, position + count <= bytes.count else { throw Malformed() }
            length = bytes[position..<(position + count)].reduce(0) { $0 << 8 | Int($1) }
            position += count
        }
        guard position + length <= bytes.count else { throw Malformed() }
        let end = position + length
        if tag & 0x20 == 0 {
            defer { position = end }
            return .primitive(tag, Array(bytes[position..<end]))
        }
        var children: [TestDER] = []
        while position < end {
            children.append(try parse(bytes, &position))
        }
        guard position == end else { throw Malformed() }
        return .constructed(tag, children)
    }

    var tag: UInt8 {
        switch self {
        case let .primitive(tag, _), let .constructed(tag, _): tag
        }
    }

    var children: [TestDER] {
        if case let .constructed(_, children) = self { return children }
        return []
    }

    /// The DER encoding (minimal definite lengths).
    var der: [UInt8] {
        switch self {
        case let .primitive(tag, content): [tag] + Self.length(content.count) + content
        case let .constructed(tag, children):
            [tag] + Self.length(children.reduce(0) { $0 + $1.der.count }) + children.flatMap(\.der)
        }
    }

    /// A BER encoding with indefinite lengths for every constructed element down to `depth`
    /// levels (0: none), as `openssl cms -sign -stream` writes.
    func ber(indefiniteDepth depth: Int) -> [UInt8] {
        guard depth > 0, case let .constructed(tag, children) = self else { return der }
        return [tag, 0x80] + children.flatMap { $0.ber(indefiniteDepth: depth - 1) } + [0x00, 0x00]
    }

    static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var bytes: [UInt8] = []
        var rest = count
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    /// The element at `path` (child indices from here).
    subscript(path: [Int]) -> TestDER {
        get {
            path.reduce(self) { $0.children[$1] }
        }
        set {
            guard let first = path.first, case .constructed(let tag, var children) = self else {
                self = newValue
                return
            }
            children[first][Array(path.dropFirst())] = newValue
            self = .constructed(tag, children)
        }
    }
}

/// Paths into a CMS ContentInfo holding a SignedData.
enum CMSPath {
    static let signedData = [1, 0]
    static let digestAlgorithms = [1, 0, 1]
    static let encapsulatedContent = [1, 0, 2]
    static let certificates = [1, 0, 3]
    /// The signer infos SET: the last element of the SignedData, index 4 when certificates
    /// are present and CRLs absent.
    static let signerInfos = [1, 0, 4]
    static let firstSignerInfo = [1, 0, 4, 0]
    static let signerIdentifier = [1, 0, 4, 0, 1]
    static let signerDigestAlgorithm = [1, 0, 4, 0, 2]
    static let signedAttributes = [1, 0, 4, 0, 3]
    static let signatureAlgorithm = [1, 0, 4, 0, 4]
    static let signature = [1, 0, 4, 0, 5]
}
