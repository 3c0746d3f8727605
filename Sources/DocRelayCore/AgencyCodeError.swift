/// A text that is not an agency code, with what was expected instead.
public struct AgencyCodeError: Error, Sendable, CustomStringConvertible {
    /// The text that was refused.
    public let text: String
    /// What an agency code looks like, e.g. "a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22".
    public let expected: String
    /// Where in DocRelay the error was raised.
    public let file: String
    public let line: Int

    static let expectedQCVN = "a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22"
    static let expectedAny = "a QCVN 102:2016 code AAA.BB.CC.Xnn such as 000.00.00.G22, "
        + "or an identifier such as vxp.saas.03 (1 to 64 of a-z 0-9 . _ -, starting and ending "
        + "with a letter or digit)"

    public var description: String { "expected \(expected), not \(quoted(text))" }
}
