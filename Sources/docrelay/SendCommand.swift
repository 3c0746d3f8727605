import ArgumentParser
import DocRelay
import DocRelayCore
import DocRelayDocuments
import DocRelayKafka
import Foundation

/// `docrelay send`: signs one document (or takes one already signed) and publishes it to the
/// sender's `out` topic, returning once the broker acknowledged it.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Sign and publish one document to docrelay.out.<from>.",
        discussion: """
            Signs with --cert/--key, or publishes as they are the headers given with --headers \
            (from `docrelay sign` or another tool). For an edXML document, --from, --to and --id \
            default to its header. A document over one record's limit (1 MiB), up to the sender's \
            home hub's max-document-bytes (--directory; default 64 MiB), is published as its \
            512 KiB segments, in order, a few at a time.
            """)

    @Argument(help: "The document, or - for standard input.")
    var file: String

    @Option(help: ArgumentHelp("Headers of an already signed document (JSON), instead of signing here.", valueName: "file"))
    var headers: String?

    @Option(help: ArgumentHelp("The signer's certificate (PEM).", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The signer's private key (PEM).", valueName: "file"))
    var key: String?

    @Option(help: "RSA signature scheme: pkcs1 or pss.")
    var scheme: String = "pkcs1"

    @OptionGroup var document: DocumentHeaderOptions
    @OptionGroup var documentLimits: DocumentLimitOptions
    @OptionGroup var kafka: KafkaConnectionOptions
    @OptionGroup var logging: LoggingOptions

    @Option(help: "The topic prefix of the hub.")
    var topicPrefix: String = "docrelay"

    func run() async throws {
        let logger = try logging.makeLogger(label: "docrelay.send")
        guard let bootstrap = kafka.bootstrapServers else {
            throw CommandFailure.configuration("option --bootstrap-servers: required to publish (host:port[,host:port])")
        }
        let settings = try kafka.settings(bootstrap: bootstrap)
        let (value, limits) = try documentLimits.read(file, draft: try document.draft(fileName: file == "-" ? nil : file))
        let recordHeaders = try signedHeaders(for: value, limits: limits)
        let segmentation = DocumentSegmentation(maxValueBytes: limits.maxValueBytes)

        let envelope: Envelope
        do {
            // A segmented document's records each hold a segment, within one record's limit.
            envelope = try Envelope.decode(
                headers: recordHeaders, valueLength: segmentation.isSegmented(size: value.count) ? 0 : value.count, limits: limits)
        } catch {
            throw CommandFailure.configuration("headers: \(error)")
        }
        let signed = envelope.signed
        let topic = "\(topicPrefix).out.\(signed.from)"
        let producer: KafkaProducer
        do {
            producer = try await KafkaProducer.connect(settings: KafkaProducerSettings(connection: settings), logger: logger)
        } catch let error as KafkaError {
            throw error.startupFailure
        }
        do {
            let key = Array(signed.id.utf8)
            let base = recordHeaders.map { KafkaHeader(name: $0.name, value: $0.value) }
            let ranges = segmentation.ranges(size: value.count)
            let segments = segmentation.segments(size: value.count)
            // One record, or the segments in order, at most three unacknowledged at a time.
            let reports = try await producer.sendInOrder(count: ranges.count, window: 3) { index in
                KafkaProducerRecord(
                    topic: topic, key: key, value: ranges.count == 1 ? value : Array(value[ranges[index]]),
                    headers: base + (segments.isEmpty ? [] : segments[index].headers.map { KafkaHeader(name: $0.name, value: $0.value) }))
            }
            await producer.close()
            let report = reports[0]
            if reports.count > 1 { print("sent in \(reports.count) segments of at most \(segmentation.segmentBytes) bytes") }
            print("sent \(signed.kind.rawValue) \(signed.id) from \(signed.from) to \(signed.to.joined(separator: ",")): \(report.topic)[\(report.partition)]@\(report.offset)")
        } catch let error as KafkaError {
            await producer.close(timeout: .seconds(1))
            throw CommandFailure.operation("\(topic): \(error)")
        }
    }

    private func signedHeaders(for value: [UInt8], limits: EnvelopeLimits) throws -> [(name: String, value: [UInt8]?)] {
        if let headers {
            return try HeadersFile.decode(headers)
        }
        guard let cert, let key else {
            throw CommandFailure.configuration("options --cert and --key: required to sign (or give --headers of a signed document)")
        }
        let options = try SigningOptions.parse(["--cert", cert, "--key", key, "--scheme", scheme])
        do {
            let signed = try DocumentSigner.sign(
                value, draft: try document.draft(fileName: file == "-" ? nil : file),
                identity: try options.identity(), scheme: try options.signatureScheme(), limits: limits)
            return signed.headers.map { ($0.name, Optional($0.value)) }
        } catch let error as DocumentSigningError {
            throw CommandFailure.configuration("\(file): \(error)")
        }
    }
}
