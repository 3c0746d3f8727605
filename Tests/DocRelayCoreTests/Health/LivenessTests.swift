import DocRelayCore
import Testing

@Suite("/healthz liveness rules of the relay and the agent: Kafka unreachable, no progress, lag growing")
struct LivenessTests {
    let start = ContinuousClock.now
    let thresholds = Liveness.Thresholds(brokerUnreachableAfter: .seconds(30), stallAfter: .seconds(60), lagGrowingFor: .seconds(300))

    func at(_ seconds: Int64) -> ContinuousClock.Instant { start.advanced(by: .seconds(seconds)) }

    func lag(_ values: [(Int64, Int64)]) -> [Liveness.LagSample] {
        values.map { Liveness.LagSample(at: at($0.0), lag: $0.1) }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let liveness: @Sendable (LivenessTests) -> Liveness
        let now: Int64
        let expected: [String]  // the start of each reason
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "idle and reachable: healthy", liveness: { t in Liveness(lastProgress: t.at(0)) }, now: 3600, expected: []),
        Case(name: "unreachable for 29 s: not yet", liveness: { t in
            Liveness(unreachableSince: t.at(1), unreachableError: "down", lastProgress: t.at(0)) }, now: 30, expected: []),
        Case(name: "unreachable for 30 s", liveness: { t in
            Liveness(unreachableSince: t.at(0), unreachableError: "down", lastProgress: t.at(0)) }, now: 30,
             expected: ["Kafka unreachable for 30s: down"]),
        Case(name: "records in processing, progress 59 s ago: not yet", liveness: { t in
            Liveness(lastProgress: t.at(1), inProcessing: 8) }, now: 60, expected: []),
        Case(name: "records in processing, no progress for 60 s", liveness: { t in
            Liveness(lastProgress: t.at(0), inProcessing: 8) }, now: 60, expected: ["no record processed for 60s"]),
        Case(name: "lag waiting, no progress for 90 s", liveness: { t in
            Liveness(lastProgress: t.at(0), lagSamples: t.lag([(75, 12)])) }, now: 90, expected: ["no record processed for 90s"]),
        Case(name: "agent: 3 spool files waiting, progress 59 s ago: not yet", liveness: { t in
            Liveness(lastProgress: t.at(1), waiting: 3) }, now: 60, expected: []),
        Case(name: "agent: 3 spool files and a lag of 2 waiting, no progress for 60 s", liveness: { t in
            Liveness(lastProgress: t.at(0), lagSamples: t.lag([(45, 2)]), waiting: 3) }, now: 60,
             expected: ["no record processed for 60s while 0 are in processing and 5 wait"]),
        Case(name: "nothing waiting, no progress for an hour: idle, healthy", liveness: { t in
            Liveness(lastProgress: t.at(0), lagSamples: t.lag([(3500, 0)])) }, now: 3600, expected: []),
        Case(name: "lag rising for 300 s", liveness: { t in
            Liveness(lastProgress: t.at(400), lagSamples: t.lag([(100, 5), (200, 9), (300, 20), (400, 21)])) }, now: 400,
             expected: ["lag grew at every measurement for 300s: from 5 to 21"]),
        Case(name: "lag rising for 200 s only", liveness: { t in
            Liveness(lastProgress: t.at(400), lagSamples: t.lag([(100, 50), (200, 9), (300, 20), (400, 21)])) }, now: 400,
             expected: []),
        Case(name: "lag high but flat", liveness: { t in
            Liveness(lastProgress: t.at(400), lagSamples: t.lag([(100, 900), (200, 900), (300, 900), (400, 900)])) }, now: 400,
             expected: []),
        Case(name: "every rule at once", liveness: { t in
            Liveness(unreachableSince: t.at(0), unreachableError: "down", lastProgress: t.at(0), inProcessing: 3,
                          lagSamples: t.lag([(0, 1), (150, 2), (300, 3)])) }, now: 300,
             expected: ["Kafka unreachable for 300s", "no record processed for 300s", "lag grew at every measurement for 300s"]),
    ]

    @Test("Each case gives exactly its reasons", arguments: cases)
    func reasons(_ testCase: Case) {
        let reasons = testCase.liveness(self).reasons(at: at(testCase.now), thresholds)
        #expect(reasons.count == testCase.expected.count, "\(reasons)")
        for (reason, expected) in zip(reasons, testCase.expected) {
            #expect(reason.hasPrefix(expected), "\(reason)")
        }
    }

    @Test("A probe that fails keeps the first failure's time and the last error; one that answers clears both")
    func probes() {
        var liveness = Liveness(lastProgress: at(0))
        liveness.probed(error: "first", at: at(5))
        liveness.probed(error: "second", at: at(10))
        #expect(liveness.unreachableSince == at(5))
        #expect(liveness.reasons(at: at(35), thresholds) == ["Kafka unreachable for 30s: second"])
        liveness.probed(error: nil, at: at(36))
        #expect(liveness.unreachableSince == nil && liveness.unreachableError == nil)
        #expect(liveness.reasons(at: at(3600), thresholds).isEmpty)
    }

    @Test("Lag samples older than the window are dropped, one older kept, so growth over exactly the window shows")
    func lagWindow() {
        var liveness = Liveness(lastProgress: at(600))  // progressing: only the lag rule can apply
        for (index, second) in stride(from: 0, through: 600, by: 15).enumerated() {
            liveness.measuredLag(Int64(index), keep: .seconds(300), at: at(Int64(second)))
        }
        #expect(liveness.lagSamples.first?.at == at(285))
        #expect(liveness.lagSamples.count == 22)
        #expect(liveness.reasons(at: at(600), thresholds) == ["lag grew at every measurement for 300s: from 20 to 40"])
    }

    @Test("Work arriving after an idle hour starts the no-progress clock; arriving while work waits does not")
    func workArrivingAfterIdle() {
        var liveness = Liveness(lastProgress: at(0))
        liveness.workArrives(at: at(3600))
        liveness.inProcessing = 1
        #expect(liveness.reasons(at: at(3601), thresholds).isEmpty)
        #expect(liveness.reasons(at: at(3660), thresholds) == ["no record processed for 60s while 1 are in processing and 0 wait"])
        liveness.workArrives(at: at(3660))
        #expect(liveness.lastProgress == at(3600))
    }
}
