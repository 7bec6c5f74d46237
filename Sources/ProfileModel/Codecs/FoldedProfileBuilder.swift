/// Builds one or two profiles from scanned folded lines, parsing each distinct frame text once.
struct FoldedProfileBuilder {
    var profiles: [Profile]
    private(set) var stackLines = 0
    private var frameCache: [ArraySlice<UInt8>: Frame] = [:]
    private var frameIDs: [[ArraySlice<UInt8>: Int32]]
    private var totals: [Int64]
    private var stackBuffer: [Int32] = []

    init(metadata: ProfileMetadata, sides: Int = 1) {
        profiles = Array(repeating: Profile(metadata: metadata), count: sides)
        frameIDs = Array(repeating: [:], count: sides)
        totals = Array(repeating: 0, count: sides)
    }

    /// Adds one line's stack with `value` to profile `sideIndex`; zero values add no sample.
    mutating func add(frames: [Range<Int>], in bytes: [UInt8], value: Int64, sideIndex: Int, lineNumber: Int) throws {
        if sideIndex == 0 { stackLines += 1 }
        guard value > 0 else { return }
        let (total, overflow) = totals[sideIndex].addingReportingOverflow(value)
        guard !overflow else {
            throw ProfileParseError(format: FoldedCodec.format, location: .line(lineNumber),
                                    reason: "total count overflows a 64-bit integer")
        }
        totals[sideIndex] = total
        stackBuffer.removeAll(keepingCapacity: true)
        for range in frames {
            stackBuffer.append(frameID(bytes[range], side: sideIndex))
        }
        let stackID = profiles[sideIndex].intern(stack: stackBuffer)
        profiles[sideIndex].add(stackID: stackID, value: value)
    }

    private mutating func frameID(_ text: ArraySlice<UInt8>, side: Int) -> Int32 {
        if let id = frameIDs[side][text] { return id }
        let frame: Frame
        if let cached = frameCache[text] {
            frame = cached
        } else {
            frame = FoldedCodec.frame(fromFoldedName: String(decoding: text, as: UTF8.self))
            frameCache[text] = frame
        }
        let id = profiles[side].intern(frame)
        frameIDs[side][text] = id
        return id
    }
}
