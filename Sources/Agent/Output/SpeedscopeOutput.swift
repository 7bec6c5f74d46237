import ProfileModel

/// speedscope JSON through the model's codec.
enum SpeedscopeOutput {
    static func encode(_ profile: Profile) throws -> [UInt8] {
        Array(SpeedscopeCodec.encode(profile).utf8)
    }
}
