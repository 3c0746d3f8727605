/// How `actual` differs from `expected` as sets: empty when they hold the same elements, else how
/// many are missing and how many extra, with the first ten of each (sorted by description).
///
/// For `#expect(difference.isEmpty, "\(difference)")` in place of `#expect(Set(a) == Set(b))`
/// on large collections: a failing `==` makes swift-testing compute a Myers difference of the
/// two, which is quadratic; it kept a clean-clone run's test process busy for over ten minutes
/// at a few hundred document ids.
public func setDifference<T: Hashable>(_ actual: some Sequence<T>, _ expected: some Sequence<T>) -> String {
    let actual = Set(actual)
    let expected = Set(expected)
    let missing = expected.subtracting(actual).map { "\($0)" }.sorted()
    let extra = actual.subtracting(expected).map { "\($0)" }.sorted()
    guard !missing.isEmpty || !extra.isEmpty else { return "" }
    return "\(missing.count) missing \(missing.prefix(10)), \(extra.count) extra \(extra.prefix(10))"
}
