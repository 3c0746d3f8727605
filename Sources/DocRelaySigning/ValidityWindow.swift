/// A period in whole seconds since 1970 as X.509 validation sees it: from `notBefore`
/// (inclusive) to `notAfter` (exclusive), which is how OpenSSL compares (`X509_cmp_time`
/// counts "equal" as "before", so a certificate is expired at its `notAfter` second).
struct ValidityWindow: Hashable, Sendable {
    var notBefore: Int64
    var notAfter: Int64

    func contains(_ second: Int64) -> Bool {
        notBefore <= second && second < notAfter
    }
}
