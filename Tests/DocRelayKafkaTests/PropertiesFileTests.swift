import DocRelayKafka
import Foundation
import DocRelayTestSupport
import Testing

@Suite("librdkafka properties files (-F, deploy/kafka)")
struct PropertiesFileTests {
    @Test("name=value lines, comments and blanks; whitespace trimmed; '=' allowed in values")
    func parses() throws {
        let text = """
            # comment
            ! another
            security.protocol = ssl

            sasl.jaas.config=a=b=c
            """
        let properties = try KafkaPropertiesFile.parse(text, path: "client.properties")
        #expect(properties == ["security.protocol": "ssl", "sasl.jaas.config": "a=b=c"])
    }

    @Test("A bad line names the file, the line and what was expected")
    func badLine() throws {
        let error = try #require(throws: KafkaPropertiesFile.ParseError.self) {
            try KafkaPropertiesFile.parse("acks=all\nlinger.ms 5\n", path: "p.properties")
        }
        #expect(error.description == "p.properties:2: expected name=value")
        let twice = try #require(throws: KafkaPropertiesFile.ParseError.self) {
            try KafkaPropertiesFile.parse("acks=all\nacks=1\n", path: "p.properties")
        }
        #expect(twice.description == "p.properties:2: key 'acks': expected each property once")
    }

    @Test("librdkafka names the property it refuses")
    func validation() throws {
        let error = try #require(throws: KafkaError.self) {
            try KafkaPropertiesFile.validate(["security.protocol": "ssl", "ssl.cipher.suitez": "x"])
        }
        #expect(error.property == "ssl.cipher.suitez")
    }

    @Test("Every file in deploy/kafka is accepted by librdkafka")
    func deployFilesAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent("deploy/kafka")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".properties") }
        #expect(files.count >= 3)
        for file in files {
            let path = directory.appendingPathComponent(file).path
            let properties = try KafkaPropertiesFile.parse(try String(contentsOfFile: path, encoding: .utf8), path: path)
            #expect(throws: Never.self, "\(file)") { try KafkaPropertiesFile.validate(properties) }
            #expect(properties["security.protocol"] != nil, "\(file) says how to connect")
        }
    }
}
