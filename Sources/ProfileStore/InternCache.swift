import Foundation
import ProfileModel

/// Store ids of frames and stacks already interned, kept across writes: a continuous agent writes
/// the same few thousand stacks every window, and each would otherwise cost an index lookup.
/// Only ids committed by a finished transaction are kept (`commit`), so a rolled-back write
/// leaves no id that the file does not have.
struct InternCache {
    private(set) var frames: [Frame: Int64] = [:]
    private(set) var stacks: [Data: Int64] = [:]
    private var pendingFrames: [Frame: Int64] = [:]
    private var pendingStacks: [Data: Int64] = [:]
    /// Past this many entries the cache starts over (bounded memory on a long run).
    static let limit = 50_000

    func frame(_ frame: Frame) -> Int64? { frames[frame] ?? pendingFrames[frame] }
    func stack(_ blob: Data) -> Int64? { stacks[blob] ?? pendingStacks[blob] }

    mutating func add(_ frame: Frame, id: Int64) { pendingFrames[frame] = id }
    mutating func add(stack blob: Data, id: Int64) { pendingStacks[blob] = id }

    mutating func commit() {
        if frames.count + pendingFrames.count > Self.limit || stacks.count + pendingStacks.count > Self.limit {
            frames.removeAll(keepingCapacity: true)
            stacks.removeAll(keepingCapacity: true)
        }
        frames.merge(pendingFrames) { $1 }
        stacks.merge(pendingStacks) { $1 }
        rollback()
    }

    mutating func rollback() {
        pendingFrames.removeAll(keepingCapacity: true)
        pendingStacks.removeAll(keepingCapacity: true)
    }
}
