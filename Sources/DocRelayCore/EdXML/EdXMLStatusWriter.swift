public import Foundation

/// Writes edXML status documents ("gói tin trạng thái"), shaped as agency software sends them:
/// namespace `http://www.mic.gov.vn/TBT/QCVN_102_2016` with the `edXML:` prefix, a MessageHeader
/// with From, ResponseFor, StaffInfo, StatusCode, Description and Timestamp.
public enum EdXMLStatusWriter {
    /// The edXML namespace of QCVN 102:2016.
    public static let namespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

    /// A status from `from` about the document `responseFor` (whose OrganId and DocumentId are
    /// required), stamped `timestamp` in Vietnam time (UTC+7, `yyyy/MM/dd HH:mm:ss`). Refuses a
    /// code the contract does not name (`isWritable`), and text that XML cannot carry.
    public static func status(
        from: EdXMLOrganization, responseFor: EdXMLResponseFor, code: EdXMLStatusCode, description: String?,
        staff: EdXMLStaff?, timestamp: Date
    ) throws(EdXMLError) -> [UInt8] {
        guard code.isWritable else {
            throw EdXMLError("a status code DocRelay writes (01–06, 13, 15, 16), not \(code.rawValue)")
        }
        guard !from.organId.isEmpty else { throw EdXMLError("no From/OrganId to write") }
        guard let organId = responseFor.organId, !organId.isEmpty else {
            throw EdXMLError("no ResponseFor/OrganId to write: a status names the sender of the document it is about")
        }
        guard let documentId = responseFor.documentId, !documentId.isEmpty else {
            throw EdXMLError("no ResponseFor/DocumentId to write: a status names the document it is about")
        }
        var xml = XMLWriter()
        xml.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        xml.raw("<edXML xmlns=\"\(namespace)\">\n")
        xml.raw("  <edXML:edXMLEnvelope xmlns:edXML=\"\(namespace)\">\n")
        xml.raw("    <edXML:edXMLHeader>\n")
        xml.raw("      <edXML:MessageHeader>\n")
        try xml.group("From", indent: 8, [
            ("OrganId", from.organId), ("OrganName", from.organName),
            ("OrganizationInCharge", from.organizationInCharge), ("OrganAdd", from.organAdd),
            ("Email", from.email), ("Telephone", from.telephone), ("Fax", from.fax), ("Website", from.website),
        ])
        try xml.group("ResponseFor", indent: 8, [
            ("OrganId", organId), ("Code", responseFor.code),
            ("PromulgationDate", responseFor.promulgationDate), ("DocumentId", documentId),
        ])
        if let staff {
            try xml.group("StaffInfo", indent: 8, [
                ("Department", staff.department), ("Staff", staff.staff), ("Mobile", staff.mobile),
                ("Email", staff.email),
            ])
        }
        try xml.element("StatusCode", code.rawValue, indent: 8)
        if let description { try xml.element("Description", description, indent: 8) }
        try xml.element("Timestamp", vietnamTime(timestamp), indent: 8)
        xml.raw("      </edXML:MessageHeader>\n")
        xml.raw("    </edXML:edXMLHeader>\n")
        xml.raw("  </edXML:edXMLEnvelope>\n")
        xml.raw("</edXML>\n")
        return xml.bytes
    }

    /// `date` as edXML writes times: `yyyy/MM/dd HH:mm:ss` in Asia/Ho_Chi_Minh (UTC+7, no DST).
    public static func vietnamTime(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + 7 * 3_600
        var days = seconds / 86_400
        var secondsOfDay = seconds % 86_400
        if secondsOfDay < 0 {
            secondsOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = RFC3339.civilFromDays(days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)/\(two(month))/\(two(day)) \(two(secondsOfDay / 3_600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60))"
    }
}
