/// `auto` unwinding: decides per sample, from the unwind tables (CFI) of the code each frame is in,
/// whether the frame-pointer walk can be trusted or the DWARF unwind is needed.
///
/// Why from the object itself: whether a function keeps its frame pointer is a property of how it
/// was built (`swiftc -O`, `gcc -O2` and Debian's glibc and libpython omit it; SwiftPM builds keep
/// it), not of its file name. The CFI says it exactly: where the CFA is computed from rbp, the
/// function has set up its frame pointer, and the walk from it to its caller is right.
enum FramePointerPolicy {
    /// Frames at the root end that may sit in code without frame pointers without harm
    /// (`__libc_start_call_main`, `start_thread`, `clone3`): nothing lies beyond them.
    static let rootFramesTolerated = 3
    /// Frames at the leaf end that are always checked, however short the walk.
    static let leafFramesChecked = 2

    /// True when the frame-pointer walk `stack` (leaf first: `[0]` is the sampled pc, the others return
    /// addresses) needs the DWARF unwind instead: it is very short, or a frame other than the root
    /// ones is in a function that has no frame pointer at that point (the walk skips its caller or
    /// continues from a scratch value).
    ///
    /// - Parameter framePointerKept: the CFI's verdict at an address; nil (no CFI) is given the benefit
    ///   of the doubt: such code (hand-written assembly, JIT) is rare in a stack and DWARF cannot
    ///   unwind it either.
    static func needsDwarf(stack: [UInt64], framePointerKept: (UInt64) -> Bool?) -> Bool {
        if stack.count < 3 { return true }
        let checked = max(leafFramesChecked, stack.count - rootFramesTolerated)
        for (index, address) in stack.prefix(checked).enumerated() {
            // A return address points after its call, which may be the function's last byte: look
            // one byte back so that the verdict is the caller's.
            let site = index == 0 ? address : address &- 1
            if framePointerKept(site) == false { return true }
        }
        return false
    }

    /// Joins the DWARF unwind of a bounded stack copy (sp through the frame record rbp points to) to
    /// the frame-pointer walk of the same sample: the DWARF frames through the first one the walk also
    /// holds, then the walk beyond it. Nil when they share no frame, or when the walk beyond the join
    /// crosses a function without a frame pointer (then only a full copy gives the callers).
    static func join(dwarf: [UInt64], framePointers: [UInt64], framePointerKept: (UInt64) -> Bool?) -> [UInt64]? {
        guard dwarf.count >= 2 else { return nil }
        for dwarfIndex in stride(from: dwarf.count - 1, through: 1, by: -1) {
            guard let walkIndex = framePointers.dropFirst().firstIndex(of: dwarf[dwarfIndex]) else { continue }
            let checkedEnd = max(walkIndex + 1, framePointers.count - rootFramesTolerated)
            for address in framePointers[walkIndex..<min(checkedEnd, framePointers.count)] where framePointerKept(address &- 1) == false {
                return nil
            }
            return Array(dwarf.prefix(dwarfIndex + 1)) + framePointers.dropFirst(walkIndex + 1)
        }
        return nil
    }
}
