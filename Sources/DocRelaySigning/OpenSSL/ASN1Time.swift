internal import COpenSSL
import Foundation

/// Conversions between OpenSSL's `ASN1_TIME` and seconds since 1970, as X.509 validation
/// compares them: to the second, a certificate being valid from `notBefore` (inclusive) to
/// `notAfter` (exclusive) — `X509_cmp_time` treats "equal" as "before".
enum ASN1Time {
    /// Seconds since 1970, or `nil` when OpenSSL cannot read the time.
    static func seconds(_ time: UnsafePointer<ASN1_TIME>) -> Int64? {
        var broken = tm()
        guard ASN1_TIME_to_tm(time, &broken) == 1 else { return nil }
        let value = timegm(&broken)
        return Int64(value)
    }

    /// Seconds since 1970 when the time has exactly the RFC 5280 form that `X509_cmp_time`
    /// accepts (`YYMMDDHHMMSSZ` or `YYYYMMDDHHMMSSZ`); `nil` for any other form, which
    /// OpenSSL reports as an error in the time field rather than comparing it.
    static func strictSeconds(_ time: UnsafePointer<ASN1_TIME>) -> Int64? {
        let length = Int(ASN1_STRING_length(time))
        let type = ASN1_STRING_type(time)
        guard (type == V_ASN1_UTCTIME && length == 13) || (type == V_ASN1_GENERALIZEDTIME && length == 15),
              let data = ASN1_STRING_get0_data(time)
        else { return nil }
        let text = UnsafeBufferPointer(start: data, count: length)
        guard text.dropLast().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), text.last == 0x5A else { return nil }
        return seconds(time)
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        guard let time, let seconds = seconds(time) else { return Date(timeIntervalSince1970: 0) }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// The second a verification happens at, as OpenSSL's `X509_VERIFY_PARAM_set_time` takes it
    /// (fractions dropped); `nil` outside the years 1 to 9999, which X.509 times cannot express.
    static func verificationSeconds(_ date: Date) -> Int64? {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, interval >= -62_135_596_800, interval < 253_402_300_800 else { return nil }
        return Int64(interval.rounded(.down))
    }

    /// `seconds` as RFC 3339 in UTC to the second, e.g. `2026-11-30T08:00:00Z`.
    static func rfc3339(_ seconds: Int64) -> String {
        var time = timeT(seconds)
        var broken = tm()
        guard gmtime_r(&time, &broken) != nil else { return "\(seconds)s since 1970" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(1900 + Int(broken.tm_year))
        return String(repeating: "0", count: max(0, 4 - year.count)) + year
            + "-\(two(broken.tm_mon + 1))-\(two(broken.tm_mday))T\(two(broken.tm_hour)):\(two(broken.tm_min)):\(two(broken.tm_sec))Z"
    }

    /// `seconds` as a `time_t` for OpenSSL.
    static func timeT(_ seconds: Int64) -> time_t {
        time_t(seconds)
    }
}
