import DocRelayTestSupport

/// Random edits of valid input: what a fuzzer would try first.
enum Mutator {
    /// `input` with one to `maxEdits` random edits: bit flips, random or `tokens` insertions,
    /// deletions, duplicated or swapped slices, truncation.
    static func mutate(
        _ input: [UInt8], tokens: [[UInt8]] = [], maxEdits: Int = 4, using generator: inout SeededGenerator
    ) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...maxEdits, using: &generator) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<8, using: &generator) {
            case 0 where !bytes.isEmpty:
                bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            case 1 where !bytes.isEmpty:
                bytes[position] = UInt8.random(in: .min ... .max, using: &generator)
            case 2:
                bytes.insert(contentsOf: generator.bytes(Int.random(in: 1...8, using: &generator)), at: position)
            case 3 where !tokens.isEmpty:
                bytes.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &generator)], at: position)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &generator))
                bytes.removeSubrange(position..<end)
            case 5 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...64, using: &generator))
                let target = Int.random(in: 0...bytes.count, using: &generator)
                bytes.insert(contentsOf: Array(bytes[position..<end]), at: target)
            case 6 where bytes.count > 2:
                let other = Int.random(in: 0..<bytes.count, using: &generator)
                bytes.swapAt(position, other)
            default:
                bytes = Array(bytes.prefix(position))
            }
        }
        return bytes
    }
}
