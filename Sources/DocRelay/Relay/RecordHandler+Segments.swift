import DocRelayCore
import DocRelayDaemon
import DocRelayDocuments
import DocRelayKafka
import Foundation
import Logging

extension RecordHandler {
    /// Handles one segment of a large document read from an `out` or `hub` topic, in its turn
    /// (`SegmentOrder`), at `now` (contract, "Large documents"). Returns the records whose
    /// offsets may now be committed: none while the document passes (its segments are held),
    /// every one of its segments once its outcome is durable (delivered, forwarded, sent to the
    /// retry tiers, or dead-lettered with the abort markers written).
    ///
    /// Each segment is verified as a record (`segments: true`) and admitted by the same policy;
    /// the first also against the acceptance ledger. The bytes feed `SegmentAssembly`; a segment
    /// is passed on before the next is read, the last only once the whole value's SHA-256 and
    /// size match. Only the last reports: events, ledger entry, acks.
    func handleSegment(_ record: KafkaRecord, key: SegmentKey, now: Date = Date()) async throws -> [KafkaRecord] {
        let started = ContinuousClock.now
        defer { metrics.processing(ContinuousClock.now - started) }
        var coordinates = record
        coordinates.value = []
        let stored = segments.take(key)
        let directory = self.directory.current
        let verifier = DocumentVerifier(
            directory: directory, trust: trustSource.current, signatures: signatures, limits: policy.limits,
            rules: acceptanceRules)
        let verdict = verifier.verify(
            headers: record.headers.map { (name: $0.name, value: $0.value) }, value: record.value, now: now, segments: true)
        let document: VerifiedDocument
        switch verdict {
        case .failure(let rejection):
            if case .ended? = stored?.phase { return try endedSegment(coordinates, key: key, progress: stored) }
            return try await refuse(record, key: key, progress: stored, rejection, directory: directory, now: now)
        case .success(let verified):
            document = verified
        }
        guard let segment = document.envelope.relay.segment else { return [coordinates] }
        let signed = document.envelope.signed

        if segment.isAbort {
            // A sender or an earlier hub gave the document up: pass the marker on where its
            // segments went, and forget it.
            if let stored, case .passing = stored.phase {
                let rejection = Rejection(
                    ErrorClass(rawValue: document.envelope.relay.errorClass ?? "malformed"),
                    document.envelope.relay.error ?? "given up by an earlier hub")
                try await writeAbortMarkers(stored, rejection: rejection, directory: directory, now: now)
                logger.notice(
                    "A large document was given up before this hub; abort markers passed on",
                    metadata: [LogKey.documentID: "\(signed.id)", LogKey.error: "\(rejection.reason)"])
            }
            return (stored?.held ?? []) + [coordinates]
        }
        // A document refused or skipped: its remaining segments are skipped; a first segment
        // starts it anew (the sender sending it again).
        if case .ended? = stored?.phase, !segment.isFirst {
            return try endedSegment(coordinates, key: key, progress: stored)
        }
        let progress: SegmentProgress? = if case .passing? = stored?.phase { stored } else { nil }

        var current: SegmentProgress
        var assembly: SegmentAssembly
        if segment.isFirst {
            // A new document, or the same one started over (its sender or an earlier hub began
            // again; the readers after us start over too when they see index 0).
            var ledgerEntry: AcceptanceEntry?
            if let ledger, let entry = policy.ledgerEntry(for: record, verdict: verdict, now: now) {
                // Looked up here, claimed only with the last segment: a document refused on the
                // way leaves no entry, and its sender may send it again.
                if let first = ledger.first(from: entry.from, id: entry.id, now: now),
                   first.partition != record.partition || first.offset != record.offset {
                    switch policy.admit(record, verdict: verdict, directory: directory, ledger: .seen(first), now: now) {
                    case .skip(let settlement):
                        // A replay of a document accepted before: its segments are skipped.
                        try await carryOut(settlement, directory: directory, now: now)
                        segments.put(ended(record, signed: signed, segment: segment, document: document, now: now), for: key)
                        return (progress?.held ?? []) + [coordinates]
                    case .refuse(let settlement):
                        try await carryOut(settlement, directory: directory, now: now)
                        segments.put(ended(record, signed: signed, segment: segment, document: document, now: now), for: key)
                        return (progress?.held ?? []) + [coordinates]
                    case .deliver:
                        break
                    }
                }
                ledgerEntry = entry
            }
            current = SegmentProgress(
                phase: .ended, signed: signed, first: coordinates, segment: segment, authentic: document.sender?.code,
                ledger: ledgerEntry, destinations: progress?.destinations ?? SegmentDestinations(),
                held: progress?.held ?? [], lastSegmentAt: now)
            assembly = SegmentAssembly(sha256: signed.sha256, first: segment)
            if progress != nil {
                logger.notice("A large document started over", metadata: [LogKey.documentID: "\(signed.id)"])
            }
        } else {
            guard let progress, case .passing(let passing) = progress.phase else {
                let rejection = Rejection(
                    .malformed,
                    "\(segment) came without the segments before it: the document's first segment was not read here",
                    authenticSender: document.sender?.code, signed: signed)
                return try await refuse(record, key: key, progress: nil, rejection, directory: directory, now: now)
            }
            current = progress
            assembly = passing
            switch assembly.step(segment, sha256: signed.sha256) {
            case .expected:
                break
            case .repeated:
                current.held.append(coordinates)
                segments.put(current, for: key)
                return []
            case .restart:
                // Not reached: a first segment is handled above.
                current.held.append(coordinates)
                segments.put(current, for: key)
                return []
            case .refuse(let errorClass, let reason):
                let rejection = Rejection(errorClass, reason, authenticSender: current.authentic, signed: signed)
                return try await refuse(record, key: key, progress: current, rejection, directory: directory, now: now)
            }
        }

        let taken = assembly.take(record.value)
        if case .refuse(let errorClass, let reason) = taken {
            let rejection = Rejection(errorClass, reason, authenticSender: current.authentic, signed: signed)
            return try await refuse(record, key: key, progress: current, rejection, directory: directory, now: now)
        }
        let last = taken == .complete
        let accepted = accepting(record, verdict: verdict, now: now)
        switch policy.admit(accepted, verdict: verdict, directory: directory, ledger: .unchecked, now: now) {
        case .refuse, .skip:
            // The same rules as the first segment's (a sender or loop rule broken by a later
            // segment's headers): refuse the document.
            let rejection: Rejection
            if case .refuse(let settlement) = policy.admit(accepted, verdict: verdict, directory: directory, now: now),
               case .refused(let errorClass, _, let reason, _, _)? = settlement.decisions.first {
                rejection = Rejection(errorClass, reason, authenticSender: current.authentic, signed: signed)
            } else {
                rejection = Rejection(.malformed, "\(segment) cannot be passed on", authenticSender: current.authentic, signed: signed)
            }
            return try await refuse(record, key: key, progress: current, rejection, directory: directory, now: now)
        case .deliver(var delivery):
            if last, let entry = current.ledger {
                _ = ledger?.claim(entry, now: now)
                delivery.ledger = entry.record(topics: policy.topics)
            }
            let (attempted, notAttempted) = delivery.without(current.destinations.diverted)
            let outcomes = try await attempt(attempted)
            RelayPolicy.record(attempted, outcomes: outcomes, into: &current.destinations)
            current.destinations.diverted.formUnion(RelayPolicy.failedRecipients(attempted, outcomes: outcomes))
            let settlement = policy.settle(attempted, outcomes: outcomes, now: now, part: !last, notAttempted: notAttempted)
            try await carryOut(settlement, directory: directory, now: now)
        }
        if last {
            return current.held + [coordinates]
        }
        current.phase = .passing(assembly)
        current.held.append(coordinates)
        current.lastSegmentAt = now
        segments.put(current, for: key)
        return []
    }

    /// A segment of a document already refused or skipped: nothing to do but let its offset be
    /// committed; the entry is forgotten with the document's last segment.
    private func endedSegment(_ coordinates: KafkaRecord, key: SegmentKey, progress: SegmentProgress?) throws -> [KafkaRecord] {
        if let progress, coordinates.headers.string(named: HeaderName.segment) != progress.segment.lastHeaderValue {
            segments.put(progress, for: key)
        }
        return [coordinates]
    }

    private func ended(
        _ record: KafkaRecord, signed: SignedHeaders, segment: DocumentSegment, document: VerifiedDocument, now: Date
    ) -> SegmentProgress {
        var first = record
        first.value = []
        return SegmentProgress(
            phase: .ended, signed: signed, first: first, segment: segment, authentic: document.sender?.code,
            lastSegmentAt: now)
    }

    /// Refuses the document `record` belongs to: its dead letter (headers, no value), the
    /// negative acks, the abort markers where its segments went; the rest of its segments are
    /// then skipped (an ended entry, unless this was its last). Returns every held record and
    /// this one.
    private func refuse(
        _ record: KafkaRecord, key: SegmentKey, progress: SegmentProgress?, _ rejection: Rejection, directory: Directory,
        now: Date
    ) async throws -> [KafkaRecord] {
        var coordinates = record
        coordinates.value = []
        let first = progress?.first ?? coordinates
        let signed = rejection.signed ?? progress?.signed
        var settlement = policy.refusal(ofDocument: first, rejection, signed: signed, now: now)
        if let dead = settlement.writes.first {
            // The dead letter names the segment at fault, read where it was.
            settlement.writes[0].headers = dead.headers.map { header in
                header.name == HeaderName.error
                    ? KafkaHeader(name: HeaderName.error, string: String(rejection.reason.prefix(4096))) : header
            }
        }
        try await carryOut(settlement, directory: directory, now: now)
        if let progress {
            try await writeAbortMarkers(progress, rejection: rejection, directory: directory, now: now)
        }
        let segment = (try? DocumentSegment.read(
            segment: record.headers.string(named: HeaderName.segment), size: record.headers.string(named: HeaderName.size),
            maxDocumentBytes: .max)) ?? nil
        if let segment, !segment.isLast, let signed {
            var ended = progress ?? SegmentProgress(
                phase: .ended, signed: signed, first: coordinates, segment: segment, authentic: rejection.authenticSender,
                lastSegmentAt: now)
            ended.phase = .ended
            ended.held = []
            ended.destinations = SegmentDestinations()
            ended.lastSegmentAt = now
            segments.put(ended, for: key)
        }
        return (progress?.held ?? []) + [coordinates]
    }

    /// Writes the abort markers of a refused document where its segments went (inboxes and
    /// the retry tier durable here; a next hub through its link, or the retry tier when that
    /// write fails).
    func writeAbortMarkers(_ progress: SegmentProgress, rejection: Rejection, directory: Directory, now: Date) async throws {
        guard !progress.destinations.isEmpty else { return }
        let markers = policy.abortMarkers(
            of: progress.first, signed: progress.signed, segment: progress.segment, destinations: progress.destinations,
            errorClass: rejection.errorClass, reason: rejection.reason, now: now)
        var writes = markers.inboxes + (markers.retry.map { [$0] } ?? [])
        for (hub, marker) in markers.forwards {
            if case .failure(let failure) = try await Self.forward(marker, to: hub, over: neighbours),
               let tier = policy.tiers.first {
                var retry = marker
                retry.topic = policy.topics.retry(tier)
                retry.headers += [
                    KafkaHeader(name: HeaderName.attempt, string: "1"),
                    KafkaHeader(name: HeaderName.notBefore, string: RelayPolicy.timestamp(now)),
                    KafkaHeader(name: HeaderName.error, string: String(failure.reason.prefix(4096))),
                ]
                writes.append(retry)
            }
        }
        try await settle(writes, directory: directory, now: now)
    }

    /// Gives up the large documents whose next segment did not come within `timeout`
    /// (`incomplete`, with negative acks and abort markers), and forgets the skipped ones and
    /// those of partitions no longer held. Returns the records whose offsets may be committed.
    func expireSegments(now: Date, timeout: Duration, holds: (String, Int32) -> Bool) async throws -> [KafkaRecord] {
        var released: [KafkaRecord] = []
        for (_, progress) in segments.expire(now: now, timeout: timeout, holds: holds) {
            guard case .passing(let assembly) = progress.phase else { continue }
            let (errorClass, reason) = assembly.abandoned(
                idle: .seconds(Int64(now.timeIntervalSince(progress.lastSegmentAt))), setting: "limits.segment-timeout")
            let rejection = Rejection(errorClass, reason, authenticSender: progress.authentic, signed: progress.signed)
            let directory = self.directory.current
            try await carryOut(policy.refusal(ofDocument: progress.first, rejection, signed: progress.signed, now: now), directory: directory, now: now)
            try await writeAbortMarkers(progress, rejection: rejection, directory: directory, now: now)
            released += progress.held
        }
        return released
    }
}

extension DocumentSegment {
    /// `dr-segment` of this document's last segment.
    var lastHeaderValue: String { "\(count - 1)/\(count)" }
}
