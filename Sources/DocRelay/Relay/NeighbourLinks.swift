import DocRelayCore
import DocRelayKafka
import Foundation
import Logging
import Synchronization

/// The relay's ways to its neighbours in the hub tree (its parent and children): for each, the
/// neighbour's `docrelay.hub.<id>` topic and a producer to the neighbour's cluster (this hub's
/// own producer when the neighbour shares its cluster). Producers are made without waiting for
/// their cluster, so a neighbour that is down does not stop this relay from starting.
///
/// A neighbour that failed a write is held "down" for a short while: records for it go straight
/// to the retry tiers instead of each waiting out a write timeout, so that a dead neighbour
/// never takes the workers local deliveries need. The first write after that while is a probe.
final class NeighbourLinks: Sendable {
    struct Link: Sendable {
        let hub: Hub
        let topic: String
        let producer: KafkaProducer
        /// Owned here (closed with the links), or this hub's own.
        let owned: Bool
    }

    private let links: [String: Link]
    private let downUntil = Mutex<[String: ContinuousClock.Instant]>([:])
    let holdDown: Duration
    let logger: Logger

    init(links: [String: Link], holdDown: Duration, logger: Logger) {
        self.links = links
        self.holdDown = holdDown
        self.logger = logger
    }

    /// Links to `hub`'s neighbours in `directory`. `ownConnection` and `ownProducer` serve a
    /// neighbour on the same cluster; `settings` makes producers for the others.
    static func make(
        hub: Hub, directory: Directory, ownConnection: HubConnection, ownProducer: KafkaProducer,
        settings: (Hub) throws -> KafkaProducerSettings, holdDown: Duration, logger: Logger
    ) throws -> NeighbourLinks {
        var neighbours = directory.children(of: hub)
        if let parentID = hub.parentID, let parent = directory.hub(id: parentID) { neighbours.append(parent) }
        var links: [String: Link] = [:]
        for neighbour in neighbours {
            let topic = TopicNames(prefix: neighbour.connection.topicPrefix).hub(neighbour.id)
            if neighbour.connection.bootstrapServers == ownConnection.bootstrapServers
                && neighbour.connection.properties == ownConnection.properties
                && neighbour.connection.propertiesFile == ownConnection.propertiesFile {
                links[neighbour.id] = Link(hub: neighbour, topic: topic, producer: ownProducer, owned: false)
            } else {
                var logger = logger
                logger[metadataKey: LogKey.hub] = "\(neighbour.id)"
                let producer = try KafkaProducer(settings: try settings(neighbour), logger: logger)
                links[neighbour.id] = Link(hub: neighbour, topic: topic, producer: producer, owned: true)
            }
        }
        return NeighbourLinks(links: links, holdDown: holdDown, logger: logger)
    }

    /// The link to neighbour `hubID`, if it is one.
    func link(to hubID: String) -> Link? { links[hubID] }

    var neighbourIDs: [String] { links.keys.sorted() }

    /// The producers made for neighbours on other clusters.
    var ownedProducers: [KafkaProducer] { links.values.filter(\.owned).map(\.producer) }

    /// One attempt to write `record` (its topic replaced by the neighbour's hub topic) to
    /// neighbour `hubID`: the broker's outcome, or a failure at once while the neighbour is held down.
    /// Throws `RelayHalt.producerFatal` if the neighbour's producer failed fatally.
    func forward(_ record: KafkaProducerRecord, to hubID: String) async throws(RelayHalt) -> Result<KafkaDeliveryReport, ForwardFailure> {
        guard let link = links[hubID] else {
            return .failure(ForwardFailure(
                hub: hubID, reason: "no link to hub \(hubID): not a neighbour when the relay started; restart it after a topology change"))
        }
        let now = ContinuousClock.now
        if let until = downUntil.withLock({ $0[hubID] }), until > now {
            return .failure(ForwardFailure(hub: hubID, reason: "hub \(hubID) is unreachable (its last write failed; trying again after \(holdDown))"))
        }
        var forwarded = record
        forwarded.topic = link.topic
        do {
            let report = try await link.producer.send(forwarded)
            downUntil.withLock { _ = $0.removeValue(forKey: hubID) }
            return .success(report)
        } catch {
            if let fatal = link.producer.fatalError { throw .producerFatal(fatal, cluster: link.producer.bootstrapServers) }
            let reason = "\(link.topic) at hub \(hubID): \(error)"
            let wasUp = downUntil.withLock { state -> Bool in
                let wasUp = state[hubID] == nil
                state[hubID] = ContinuousClock.now.advanced(by: holdDown)
                return wasUp
            }
            if wasUp {
                logger.warning("A neighbour hub does not take records: holding it down", metadata: [
                    LogKey.hub: "\(hubID)", LogKey.error: "\(error)",
                ])
            }
            return .failure(ForwardFailure(hub: hubID, reason: reason))
        }
    }

    /// Flushes and closes the producers owned here.
    func close() async {
        for link in links.values where link.owned {
            await link.producer.close(timeout: .seconds(10))
        }
    }
}

/// A record not written to a neighbour hub, and why.
struct ForwardFailure: Error, Sendable, Equatable, CustomStringConvertible {
    let hub: String
    let reason: String
    var description: String { reason }
}
