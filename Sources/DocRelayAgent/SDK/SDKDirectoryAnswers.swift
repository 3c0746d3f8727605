import DocRelayCore

/// `getAgenciesList` and `getSynchronizeUnit` from the directory: the whole of it in one
/// answer, as the SDK expects (over 100,000 entries nationally; no paging).
enum SDKDirectoryAnswers {
    /// `{id, pid, code, name, mail, oldCode}` per agency: `id` is the code, `pid` the parent's
    /// code (`""` under the national hub), `mail` `""` (the directory has none), `oldCode` the
    /// first former code or `""`.
    static func agencies(_ directory: Directory) -> [SDKAnswers.AgencyItem] {
        directory.agencies.map { agency in
            SDKAnswers.AgencyItem(
                id: agency.code.rawValue, pid: directory.parent(of: agency.code)?.rawValue ?? "", code: agency.code.rawValue,
                name: agency.name, mail: "", oldCode: agency.formerCodes.first ?? "")
        }
    }

    /// `{id, pid, code, name, mail, version, centerCode, deleted, modifyDate, isAgency}` per
    /// agency: `centerCode` its home hub, `version` 1, `deleted` false (a removed agency is not
    /// in the directory), `modifyDate` `""`, `isAgency` true.
    static func units(_ directory: Directory) -> [SDKAnswers.UnitItem] {
        directory.agencies.map { agency in
            SDKAnswers.UnitItem(
                id: agency.code.rawValue, pid: directory.parent(of: agency.code)?.rawValue ?? "", code: agency.code.rawValue,
                name: agency.name, mail: "", version: 1, centerCode: agency.hubID, deleted: false, modifyDate: "", isAgency: true)
        }
    }
}
