/// Metadata keys of the admin server's log messages, named once.
enum AdminLogKey {
    static let address = "docrelay.admin.address"
    static let error = "docrelay.error"
    static let path = "docrelay.admin.path"
}
