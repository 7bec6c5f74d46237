@testable import Agent
import Testing

/// The `auto` decision from per-address CFI verdicts: a frame-pointer walk is kept only when every
/// frame but the root ones is in code that has set up its frame pointer there.
struct FramePointerPolicyTests {
    /// Verdicts by address: 0x1xxx keeps a frame pointer, 0x2xxx does not, 0x3xxx has no CFI.
    private static func verdict(_ address: UInt64) -> Bool? {
        switch address >> 12 {
        case 1: return true
        case 2: return false
        default: return nil
        }
    }

    @Test func aWalkThroughCodeWithFramePointersIsKept() {
        #expect(!FramePointerPolicy.needsDwarf(stack: [0x1100, 0x1200, 0x1300, 0x1400, 0x1500], framePointerKept: Self.verdict))
    }

    @Test func aLeafWithoutFramePointerNeedsDwarf() {
        #expect(FramePointerPolicy.needsDwarf(stack: [0x2100, 0x1200, 0x1300, 0x1400, 0x1500], framePointerKept: Self.verdict))
    }

    @Test func aMiddleFrameWithoutFramePointerNeedsDwarf() {
        #expect(FramePointerPolicy.needsDwarf(stack: [0x1100, 0x1200, 0x2300, 0x1400, 0x1500, 0x1600, 0x1700], framePointerKept: Self.verdict))
    }

    @Test func rootFramesWithoutFramePointersAreTolerated() {
        // `__libc_start_call_main`, `start_thread`, `clone3`: glibc, rsp-based CFI, nothing beyond them.
        #expect(!FramePointerPolicy.needsDwarf(stack: [0x1100, 0x1200, 0x1300, 0x2400, 0x2500, 0x2600], framePointerKept: Self.verdict))
    }

    @Test func theTwoLeafFramesAreCheckedEvenInAShortWalk() {
        // Three frames are all "root" by count; the leaf and its caller are still checked.
        #expect(FramePointerPolicy.needsDwarf(stack: [0x1100, 0x2200, 0x1300], framePointerKept: Self.verdict))
    }

    @Test func aVeryShortWalkNeedsDwarf() {
        #expect(FramePointerPolicy.needsDwarf(stack: [0x1100, 0x1200], framePointerKept: Self.verdict))
    }

    @Test func codeWithoutCFIIsGivenTheBenefitOfTheDoubt() {
        #expect(!FramePointerPolicy.needsDwarf(stack: [0x1100, 0x3200, 0x1300, 0x1400, 0x1500], framePointerKept: Self.verdict))
    }

    @Test func returnAddressesAreJudgedAtTheCallSite() {
        // A call that is a function's last instruction returns to the next function's first byte.
        var asked: [UInt64] = []
        _ = FramePointerPolicy.needsDwarf(stack: [0x1100, 0x1200, 0x1300, 0x1400], framePointerKept: { asked.append($0); return true })
        #expect(asked == [0x1100, 0x11ff])
    }

    @Test func aBoundedUnwindIsJoinedToTheWalkWhereTheyMeet() {
        // DWARF through glibc's frameless frames (0x2xxx) up to the return into the first function with a
        // frame pointer's caller (0x1300), which the walk also holds; the walk skipped 0x2200 and 0x1200.
        let dwarf: [UInt64] = [0x2100, 0x2200, 0x1200, 0x1300]
        let walk: [UInt64] = [0x2100, 0x1300, 0x1400, 0x1500]
        #expect(FramePointerPolicy.join(dwarf: dwarf, framePointers: walk, framePointerKept: Self.verdict) == [0x2100, 0x2200, 0x1200, 0x1300, 0x1400, 0x1500])
    }

    @Test func anUnwindThatMeetsNoWalkFrameIsNotJoined() {
        #expect(FramePointerPolicy.join(dwarf: [0x2100, 0x2200], framePointers: [0x2100, 0x1300, 0x1400], framePointerKept: Self.verdict) == nil)
    }

    @Test func aWalkThatCrossesFramelessCodeBeyondTheJoinIsNotJoined() {
        // Beyond the join the walk passes 0x2400 (no frame pointer), not a root frame: its caller is lost.
        let walk: [UInt64] = [0x2100, 0x1300, 0x2400, 0x1500, 0x1600, 0x1700, 0x1800]
        #expect(FramePointerPolicy.join(dwarf: [0x2100, 0x2200, 0x1300], framePointers: walk, framePointerKept: Self.verdict) == nil)
    }
}
