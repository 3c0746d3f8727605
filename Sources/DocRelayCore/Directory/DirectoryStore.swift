import Synchronization

/// The directory in force, swapped whole on reload. Readers take `current` once per unit of work
/// and keep that snapshot: a reload never changes a directory under work in flight, and a bad file
/// leaves the old directory in force. (Reloading on SIGHUP is the caller's wiring.)
public final class DirectoryStore: Sendable {
    /// The directory file re-read by `reload()`.
    public let path: String
    private let directory: Mutex<Directory>
    /// The address book of the directory in force, built on first use and dropped on reload.
    private let search = Mutex<AgencySearch?>(nil)
    /// Held for a whole reload, so that two reloads cannot swap in an older read after a newer one.
    private let reloading = Mutex<Void>(())

    /// Loads the directory at `path`.
    public init(contentsOf path: String) throws(ConfigurationError) {
        self.path = path
        self.directory = Mutex(try Directory.load(contentsOf: path))
    }

    /// A store holding `directory`, reloaded later from `path`.
    public init(_ directory: Directory, path: String) {
        self.path = path
        self.directory = Mutex(directory)
    }

    /// The directory in force: a snapshot to keep for one unit of work.
    public var current: Directory {
        directory.withLock { $0 }
    }

    /// The address book (``AgencySearch``) of the directory in force: indexed once per
    /// directory, then searched in memory.
    public var agencySearch: AgencySearch {
        search.withLock { cached in
            if let cached { return cached }
            let built = AgencySearch(current)
            cached = built
            return built
        }
    }

    /// Re-reads the file and puts the new directory in force, atomically; throws and keeps the
    /// old directory when the file is bad. Returns the new directory.
    @discardableResult
    public func reload() throws(ConfigurationError) -> Directory {
        try reloading.withLock { _ throws(ConfigurationError) in
            let fresh = try Directory.load(contentsOf: path)
            directory.withLock { $0 = fresh }
            search.withLock { $0 = nil }
            return fresh
        }
    }
}
