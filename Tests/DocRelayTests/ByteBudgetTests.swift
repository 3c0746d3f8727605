import DocRelay
import DocRelayCore
import Synchronization
import Testing

@Suite("Admission of records by bytes")
struct ByteBudgetTests {
    @Test("Reservations wait until they fit, in order; a reservation larger than everything goes alone")
    func waitsInOrder() async throws {
        let budget = ByteBudget(capacity: 100)
        await budget.acquire(60)
        await budget.acquire(40)
        #expect(budget.held == 100)
        let granted = LockedList()
        let second = Task { await budget.acquire(30); granted.append("30") }
        try await Task.sleep(for: .milliseconds(50))
        let third = Task { await budget.acquire(10); granted.append("10") }
        try await Task.sleep(for: .milliseconds(50))
        #expect(granted.items.isEmpty, "nothing fits while 100 of 100 are held; 10 waits behind 30 (in order)")
        budget.release(40)
        await second.value
        await third.value
        #expect(granted.items == ["30", "10"])
        #expect(budget.held == 100)
        budget.release(100)
        await budget.acquire(250)  // more than the whole budget: alone
        #expect(budget.held == 250)
        budget.release(250)
        #expect(budget.held == 0)
    }

    /// Issue 10, point 8: 256 workers each holding a record of the largest size was 256 MiB; with
    /// the reservation, 256 workers over 1 MiB records hold at most the budget.
    @Test("256 workers taking 1 MiB records never hold more than the budget")
    func workersBounded() async throws {
        let largest = 1_048_576
        let budget = ByteBudget(capacity: 32 * largest)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<256 {
                group.addTask {
                    for _ in 0..<4 {
                        await budget.acquire(largest)  // reserve before taking a record
                        let held = largest  // a record of the largest size
                        budget.release(largest - held)
                        await Task.yield()
                        budget.release(held)
                    }
                }
            }
        }
        print("256 workers × 4 records of 1 MiB: at most \(budget.peak / largest) MiB held (budget 32 MiB)")
        #expect(budget.peak <= 32 * largest)
        #expect(budget.held == 0)
    }
}

/// The order in which reservations were granted.
private final class LockedList: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ item: String) { storage.withLock { $0.append(item) } }
    var items: [String] { storage.withLock { $0 } }
}

@Suite("limits.memory-budget shared out")
struct RelayMemoryBudgetTests {
    @Test("Every share, with what librdkafka holds beside it (one fetch response, the producers' copies), fits in the budget")
    func sharesFitTheBudget() {
        let largest = 1_048_576 + 65_536
        for total in [16 * largest, 64 << 20, 256 << 20, 4 << 30] {
            let budget = RelayMemoryBudget(total: total, largestRecord: largest)
            let held = 2 * budget.mainPrefetch + budget.mainBuffer + 2 * budget.retryPrefetch + budget.retryBuffer
                + 2 * budget.processing
            #expect(held <= total, "budget \(total): \(held)")
            #expect(budget.processing >= 2 * largest, "two workers can always go on")
        }
    }
}
