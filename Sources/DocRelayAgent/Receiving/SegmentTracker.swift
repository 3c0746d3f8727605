import DocRelayCore
import DocRelayDocuments
import DocRelayKafka

/// The documents the agent is receiving in segments (contract, "Large documents"): for each, its
/// `SegmentAssembly`, the records read of it (held unmarked, so that the group's committed offset
/// stays at or before its first segment until its outcome is durable) and when a segment last
/// came. Decides what each segment record is to them; holds no bytes (the receiver writes each
/// segment to the document's partial file).
struct SegmentTracker: Sendable {
    /// One document in progress: by where it is read and by its sender's id.
    struct Key: Hashable, Sendable, CustomStringConvertible {
        let topic: String
        let partition: Int32
        let from: String
        let id: String

        var description: String { "\(topic)/\(partition) \(from) \(id)" }
    }

    struct Partial: Sendable {
        var assembly: SegmentAssembly
        /// The records read of it, their values dropped: marked processed all at once.
        var held: [KafkaRecord]
        /// The first segment's record (no value): where the document was read, for its metadata.
        var first: KafkaRecord
        var lastTouched: ContinuousClock.Instant
        /// A repeat of a document delivered before: its segments are read and dropped, no file.
        var discarding: Bool
    }

    /// What to do with a segment.
    enum Action: Sendable, Equatable {
        /// The first segment of a document not in progress: decide whether it is a repeat, then `begin`.
        case first
        /// Index 0 of a document in progress: drop what was written, `begin` again.
        case restart
        /// The expected next segment: write it, then `take`.
        case append
        /// A segment of a repeat being dropped, or one already taken: nothing to write.
        case skip
        /// The document is refused: `finish` it, drop its file, note it, mark what was held.
        case refuse(ErrorClass, String)
        /// An abort marker for a document in progress: as `refuse`, with the sender's or hub's reason.
        case abort(String)
        /// A segment (or abort marker) of no document in progress: mark it, nothing else.
        case orphan
    }

    private(set) var partials: [Key: Partial] = [:]

    /// What `segment` (of a record whose signed digest is `sha256`) is; a segment that belongs
    /// to a document in progress is added to its held records.
    mutating func step(
        _ key: Key, segment: DocumentSegment, sha256: String, record: KafkaRecord, now: ContinuousClock.Instant,
        abortReason: @autoclosure () -> String
    ) -> Action {
        guard var partial = partials[key] else {
            return segment.isFirst ? .first : .orphan
        }
        var light = record
        light.value = []
        partial.held.append(light)
        partial.lastTouched = now
        partials[key] = partial
        if segment.isAbort { return .abort(abortReason()) }
        if partial.discarding {
            // A repeat being dropped: a start over begins the repeat again, the rest is dropped.
            return segment.isFirst ? .restart : .skip
        }
        switch partial.assembly.step(segment, sha256: sha256) {
        case .expected: return .append
        case .restart: return .restart
        case .repeated: return .skip
        case .refuse(let errorClass, let reason): return .refuse(errorClass, reason)
        }
    }

    /// Starts (or starts over) a document with its first segment's record; the records held
    /// of an earlier start are kept, to be marked with this one's outcome.
    mutating func begin(
        _ key: Key, sha256: String, segment: DocumentSegment, record: KafkaRecord, now: ContinuousClock.Instant, discarding: Bool
    ) {
        var light = record
        light.value = []
        var held = partials[key]?.held ?? []
        if held.last?.offset != light.offset || held.last?.topic != light.topic { held.append(light) }
        partials[key] = Partial(
            assembly: SegmentAssembly(sha256: sha256, first: segment), held: held, first: light, lastTouched: now,
            discarding: discarding)
    }

    /// Takes the bytes of an `append`ed (or begun) segment.
    mutating func take(_ key: Key, bytes: [UInt8]) -> SegmentAssembly.Progress {
        guard var partial = partials[key] else { return .refuse(.malformed, "no document in progress") }
        let progress = partial.assembly.take(bytes)
        partials[key] = partial
        return progress
    }

    /// Adds a record to a document's held ones.
    mutating func hold(_ key: Key, _ record: KafkaRecord) {
        partials[key]?.held.append(record)
    }

    /// Whether the document is a repeat being dropped, and whether its last segment was just read.
    func isDiscarding(_ key: Key) -> Bool { partials[key]?.discarding ?? false }

    /// Ends a document: its state and held records (to mark).
    mutating func finish(_ key: Key) -> Partial? {
        partials.removeValue(forKey: key)
    }

    /// The documents without a segment for `timeout` at `now`.
    func stale(at now: ContinuousClock.Instant, timeout: Duration) -> [Key] {
        partials.filter { now - $0.value.lastTouched >= timeout }.map(\.key)
    }
}
