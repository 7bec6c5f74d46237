/// pprof's profile.proto, gzip-framed. The wire format is swift-protobuf's (types generated from
/// profile.proto in `Generated/`, `make pprof-proto`); the mapping below is flamelab's.
///
/// Mapping from `Profile`:
/// - CPU: `sample_type` = [`samples/count`, `cpu/nanoseconds`], `period_type` = `cpu/nanoseconds`,
///   `period` = 1e9/hz, values = [count, count × period].
/// - Off-CPU: `sample_type` = [`samples/count`, `off_cpu/nanoseconds`], `default_sample_type` =
///   `off_cpu`, values = [1 per sample, blocked nanoseconds].
/// - One `Location` per frame (`id` = frame index + 1) with one `Line`; `Sample.location_id[0]` is
///   the LEAF (the model's stacks are root first, so they are reversed here). One `Function` per
///   distinct (name, kind, file); `Function.system_name` is `flamelab.kind=<FrameKind>` so the kind
///   survives a round trip (other readers show `name`). One `Mapping` per module (`filename`).
/// - Labels: `trace_id`, `span_id` (str); `pid`, `tid` (num); `timestamp_ns` (num, unit
///   `nanoseconds`).
/// - `time_nanos` = start, `duration_nanos` = end - start; hz, unwind mode, service, version and
///   drops go in `comment` strings `flamelab.<key>=<value>`.
/// The decoder accepts gzipped or raw bytes and foreign profiles (kinds then come from
/// `FrameClassification.guess`, the value from the `off_cpu` or `samples` type, else the default type,
/// CPU nanoseconds divided by the period into sample counts). As protobuf's rules say, a field of an
/// unexpected wire type is skipped as unknown, and strings must be UTF-8 (proto3 `string`).
public enum PprofCodec {
    static let format = "pprof"
    static let kindPrefix = "flamelab.kind="
    static let commentPrefix = "flamelab."
    /// The sample type of page-fault profiles (perf's event name).
    static let pageFaultsType = "page-faults"

    /// Encodes `profile` as gzipped profile.proto bytes.
    public static func encode(_ profile: Profile) throws -> [UInt8] {
        // Fastest deflate level, as Go's pprof writer does: profiles are large, gzip's gain small.
        try Gzip.compress(encodeUncompressed(profile), level: 1)
    }

    /// Encodes `profile` as raw (not gzipped) profile.proto bytes.
    public static func encodeUncompressed(_ profile: Profile) -> [UInt8] {
        var encoder = PprofEncoder(profile: profile)
        return encoder.encode()
    }

    /// Decodes gzipped or raw profile.proto bytes.
    public static func decode(_ bytes: [UInt8]) throws -> Profile {
        guard !bytes.isEmpty else {
            throw ProfileParseError(format: format, location: .input, reason: "empty input")
        }
        let raw: [UInt8]
        do {
            raw = Gzip.isGzipped(bytes) ? try Gzip.decompress(bytes) : bytes
        } catch let error as ProfileParseError {
            throw ProfileParseError(format: format, location: .input, reason: error.reason)
        }
        var decoder = PprofDecoder(bytes: raw)
        return try decoder.decode()
    }
}
