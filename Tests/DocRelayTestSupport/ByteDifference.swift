/// Where two byte strings differ, for an expectation: nil when they are equal, else both sizes
/// and the first offset that differs. Use `#expect(byteDifference(a, b) == nil)` for anything
/// larger than a few KiB, never `#expect(a == b)`: on a failed `==` of two collections
/// swift-testing computes their Myers difference, quadratic in their size; a 1.5 MB document
/// that came out different held a test for minutes instead of failing it.
public func byteDifference<A: Collection<UInt8>, B: Collection<UInt8>>(_ actual: A?, _ expected: B?) -> String? {
    switch (actual, expected) {
    case (nil, nil): return nil
    case (nil, let expected?): return "nothing, where \(expected.count) bytes were expected"
    case (let actual?, nil): return "\(actual.count) bytes, where nothing was expected"
    case (let actual?, let expected?):
        var offset = 0
        for (one, other) in zip(actual, expected) {
            if one != other { return "\(actual.count) bytes, \(expected.count) expected: they differ first at byte \(offset)" }
            offset += 1
        }
        return actual.count == expected.count ? nil : "\(actual.count) bytes, \(expected.count) expected: one is the other's beginning"
    }
}
