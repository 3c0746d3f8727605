import DocRelayCore
import DocRelayKafka
import Foundation

/// One entry of the acceptance ledger (`<prefix>.accepted`, contract "Transport identity"): a
/// record this hub accepted first from an agency's `out` topic.
///
/// Key `<dr-from>` LF `<dr-id>` (the transport identity: compaction keeps one entry per
/// identity); value a small JSON object with sorted keys,
/// `{"at","hub","offset","partition","sha256","topic"}`: readable with `kcat` by an operator,
/// about 200 bytes, and decoded only at start and when another instance writes one, so a
/// binary form would save nothing that matters.
struct AcceptanceEntry: Sendable, Equatable, Codable {
    /// `dr-from` of the record.
    var from: String
    /// `dr-id` of the record.
    var id: String
    /// `dr-sha256`: its content.
    var sha256: String
    /// When this hub accepted it (RFC 3339 UTC with milliseconds).
    var at: String
    /// The hub that accepted it.
    var hub: String
    /// Where it was read: the sender's `out` topic, partition and offset.
    var topic: String
    var partition: Int32
    var offset: Int64

    private enum CodingKeys: String, CodingKey {
        case sha256, at, hub, topic, partition, offset
    }

    init(from: String, id: String, sha256: String, at: String, hub: String, topic: String, partition: Int32, offset: Int64) {
        self.from = from
        self.id = id
        self.sha256 = sha256
        self.at = at
        self.hub = hub
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// The ledger key of an identity: `<dr-from>` LF `<dr-id>` (neither may hold a line feed:
    /// agency codes and ids are checked when the envelope is decoded).
    static func key(from: String, id: String) -> [UInt8] {
        Array("\(from)\n\(id)".utf8)
    }

    /// The record to write to `topics.accepted`.
    func record(topics: TopicNames) -> KafkaProducerRecord {
        var json = JSONObjectWriter()
        json.add("at", at)
        json.add("hub", hub)
        json.add("offset", offset)
        json.add("partition", partition)
        json.add("sha256", sha256)
        json.add("topic", topic)
        return KafkaProducerRecord(topic: topics.accepted, key: Self.key(from: from, id: id), value: json.finish())
    }

    /// The entry of a ledger record, or nil for one that is not (no key, no LF, bad JSON).
    static func decode(key: [UInt8]?, value: [UInt8]) -> AcceptanceEntry? {
        guard let key, let newline = key.firstIndex(of: 0x0A) else { return nil }
        guard let from = String(bytes: key[..<newline], encoding: .utf8),
              let id = String(bytes: key[(newline + 1)...], encoding: .utf8),
              !from.isEmpty, !id.isEmpty,
              var entry = try? JSONDecoder().decode(AcceptanceEntry.self, from: Data(value))
        else { return nil }
        entry.from = from
        entry.id = id
        return entry
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.from = ""
        self.id = ""
        self.sha256 = try container.decode(String.self, forKey: .sha256)
        self.at = try container.decode(String.self, forKey: .at)
        self.hub = try container.decode(String.self, forKey: .hub)
        self.topic = try container.decode(String.self, forKey: .topic)
        self.partition = try container.decode(Int32.self, forKey: .partition)
        self.offset = try container.decode(Int64.self, forKey: .offset)
    }
}
