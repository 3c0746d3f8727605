public import DocRelayKafka

/// A counting semaphore for tasks: `take()` waits for a free slot, `give()` frees one.
public actor AsyncSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(_ count: Int) { free = count }

    public func take() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    public func give() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// Keeps a child process being spawned and an embedded broker coming back up apart.
///
/// Between the fork and the exec of a child, the child holds a copy of every descriptor of the
/// test process, the embedded brokers' listening sockets included (close-on-exec closes them
/// only at the exec). Setting a broker down closes its listening socket and binds the same port
/// again at once (librdkafka 2.0.2 keeps the port that way: `rd_kafka_mock_broker_cmd`), and
/// setting it up starts listening there; librdkafka's mock cluster aborts the process when that
/// bind fails ("Address already in use" while a child still holds the old socket): a test
/// process died so twice, once at a broker set down (`Failed to-create mock broker
/// listener`). Spawns hold the gate until the child has exec'd (`ChildProcess`, `OpenSSLCLI`,
/// `spawnGated`); a broker goes down or comes up only while no spawn holds it
/// (`takeBrokerDown`, `bringBrokerUp`).
public enum SpawnGate {
    static let slot = AsyncSlots(1)

    /// Waits until no other spawn and no broker start holds the gate, and holds it until
    /// `Hold.release()` (call it once the child has exec'd, or when spawning failed).
    public static func hold() async -> Hold {
        await slot.take()
        return Hold()
    }

    /// The gate held by one spawn; released once, whoever asks first.
    public actor Hold {
        private var released = false

        public func release() async {
            guard !released else { return }
            released = true
            await SpawnGate.slot.give()
        }
    }
}

extension EmbeddedKafkaCluster {
    /// `setBrokerDown`, while no child process is being spawned (see `SpawnGate`).
    public func takeBrokerDown(_ id: Int32) async {
        await SpawnGate.slot.take()
        setBrokerDown(id)
        await SpawnGate.slot.give()
    }

    /// `setBrokerUp`, while no child process is being spawned (see `SpawnGate`).
    public func bringBrokerUp(_ id: Int32) async {
        await SpawnGate.slot.take()
        setBrokerUp(id)
        await SpawnGate.slot.give()
    }
}
