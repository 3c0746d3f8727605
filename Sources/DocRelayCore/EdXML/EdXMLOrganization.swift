/// An organisation as edXML describes it in `From` or `To`.
public struct EdXMLOrganization: Sendable, Hashable {
    /// The agency code, e.g. `000.00.00.H41`.
    public var organId: String
    public var organName: String?
    public var organizationInCharge: String?
    public var organAdd: String?
    public var email: String?
    public var telephone: String?
    public var fax: String?
    public var website: String?

    public init(
        organId: String, organName: String? = nil, organizationInCharge: String? = nil, organAdd: String? = nil,
        email: String? = nil, telephone: String? = nil, fax: String? = nil, website: String? = nil
    ) {
        self.organId = organId
        self.organName = organName
        self.organizationInCharge = organizationInCharge
        self.organAdd = organAdd
        self.email = email
        self.telephone = telephone
        self.fax = fax
        self.website = website
    }
}

/// The clerk who handled a document, as a status's `StaffInfo` names them.
public struct EdXMLStaff: Sendable, Hashable {
    public var department: String?
    public var staff: String?
    public var mobile: String?
    public var email: String?

    public init(department: String? = nil, staff: String? = nil, mobile: String? = nil, email: String? = nil) {
        self.department = department
        self.staff = staff
        self.mobile = mobile
        self.email = email
    }
}
