import ProfileModel

extension FlamelabError {
    static func storeOpen(_ path: String, _ reason: String) -> FlamelabError {
        .failed("open", "profile store \(path)", reason)
    }

    static func storeWrite(_ path: String, _ reason: String) -> FlamelabError {
        .failed("write", "profile to store \(path)", reason)
    }

    static func storeRead(_ path: String, _ reason: String, code: Code = .failed) -> FlamelabError {
        .failed("read", "profile store \(path)", reason, code: code)
    }
}
