internal import COpenSSL

/// OpenSSL's per-thread error queue: cleared before each call into OpenSSL, so that what is
/// read after a failure belongs to that call, and drained after it, so nothing leaks into the
/// next one.
enum OpenSSLErrorQueue {
    /// Empties the queue of the current thread.
    static func clear() {
        ERR_clear_error()
    }

    /// Every error left on the queue, oldest first, as `reason (library)` strings; the queue
    /// is empty afterwards.
    static func drain() -> [OpenSSLQueuedError] {
        var errors: [OpenSSLQueuedError] = []
        while true {
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            let detail = (flags & ERR_TXT_STRING) != 0 ? data.map { String(cString: $0) } : nil
            errors.append(OpenSSLQueuedError(code: code, detail: detail))
        }
        return errors
    }

    /// The drained queue as one readable line (empty when OpenSSL said nothing).
    static func drainedText() -> String {
        drain().map(\.description).joined(separator: "; ")
    }
}

/// One entry of OpenSSL's error queue.
struct OpenSSLQueuedError: CustomStringConvertible {
    let code: UInt
    /// Extra text OpenSSL attached (e.g. "Verify error: certificate has expired").
    let detail: String?

    var library: Int32 { ERR_GET_LIB(code) }
    var reason: Int32 { ERR_GET_REASON(code) }

    var description: String {
        let reasonText = ERR_reason_error_string(code).map { String(cString: $0) } ?? "error \(reason)"
        let libraryText = ERR_lib_error_string(code).map { String(cString: $0) } ?? "library \(library)"
        if let detail, !detail.isEmpty {
            return "\(reasonText) (\(libraryText): \(detail))"
        }
        return "\(reasonText) (\(libraryText))"
    }
}

extension SigningError {
    /// An error whose message ends with what OpenSSL's queue holds (which is drained).
    static func openSSL(
        _ reason: Reason, _ message: String, file: String = #fileID, line: Int = #line
    ) -> SigningError {
        let queued = OpenSSLErrorQueue.drainedText()
        return SigningError(reason, queued.isEmpty ? message : "\(message): \(queued)", file: file, line: line)
    }
}
