/// A directory of three hubs (national, two provinces) and agencies at every level, as the
/// contract's examples name them. Line numbers matter to the error tests: keep its shape.
enum SampleDirectory {
    static let fingerprintG22 = String(repeating: "3f5a", count: 16)
    static let fingerprintH58 = String(repeating: "ab", count: 32)

    static let yaml = """
    hubs:
      - id: national
        name: Trục liên thông quốc gia
        kafka:
          bootstrap: kafka-1:19092,kafka-2:19092
          properties-file: kafka/tls.properties
          properties: { sasl.username: relay, linger.ms: 5 }
      - id: h58
        name: Trục tỉnh Tiền Giang
        parent: national
        kafka: { bootstrap: [ "kafka-h58:9092" ], topic-prefix: tg }
      - id: h53
        parent: national
        kafka: { bootstrap: kafka-h53:9092 }
    agencies:
      - code: "000.00.00.G22"
        name: Văn phòng Chính phủ
        hub: national
        certificates:
          - sha256: \(fingerprintG22)
          - subject: "CN=000.00.00.G22,O=Văn phòng Chính phủ,C=VN"
            issuer: "CN=Cục Chứng thực số,O=Ban Cơ yếu Chính phủ,C=VN"
      - code: "000.00.00.H58"
        name: UBND tỉnh Tiền Giang
        hub: h58
        certificates:
          - sha256: \(fingerprintH58.uppercased())
      - code: 000.00.00.H53
        name: UBND tỉnh Tây Ninh
        hub: h53
      - code: "000.00.32.H53"
        name: UBND huyện
      - code: "000.21.32.H53"
        name: UBND xã
      - code: vxp.saas.03
        name: Test unit
        hub: h58
        parent: "000.00.00.H58"
      - code: "000.00.07.H53"
        name: Sở trực thuộc tỉnh Tiền Giang
        parent: "000.00.00.H58"
    """
}
