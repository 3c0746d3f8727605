internal import COpenSSL

/// Catches the first chain-verification error of a `CMS_verify` call, which otherwise reports
/// it only as text. Installed on a store made for that one call; the store's ex-data points at
/// the recorder, which outlives the call.
final class VerifyErrorRecorder {
    private(set) var firstError: X509VerifyError?

    /// The ex-data slot of `X509_STORE` that holds the recorder.
    private static let slot: Int32 = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_X509_STORE, 0, nil, nil, nil, nil)

    /// Installs the recorder on `store` and runs `body`; the store must not be used after it.
    func recording<R, E: Error>(on store: X509StoreHandle, _ body: () throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(self) { () throws(E) -> R in
            store.withStore { pointer in
                X509_STORE_set_ex_data(pointer, Self.slot, Unmanaged.passUnretained(self).toOpaque())
                X509_STORE_set_verify_cb(pointer, recordingCallback)
            }
            defer { store.withStore { _ = X509_STORE_set_ex_data($0, Self.slot, nil) } }
            return try body()
        }
    }

    fileprivate func record(_ code: Int32) {
        if firstError == nil { firstError = X509VerifyError(code: code) }
    }

    fileprivate static func recorder(of context: OpaquePointer) -> VerifyErrorRecorder? {
        guard let store = X509_STORE_CTX_get0_store(context),
              let raw = X509_STORE_get_ex_data(store, slot)
        else { return nil }
        return Unmanaged<VerifyErrorRecorder>.fromOpaque(raw).takeUnretainedValue()
    }
}

/// OpenSSL's verify callback: notes a failure and leaves the verdict unchanged.
private let recordingCallback: @convention(c) (Int32, OpaquePointer?) -> Int32 = { ok, context in
    if ok == 0, let context, let recorder = VerifyErrorRecorder.recorder(of: context) {
        recorder.record(X509_STORE_CTX_get_error(context))
    }
    return ok
}
