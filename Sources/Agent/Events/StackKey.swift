import Symbolize

/// An unsymbolized stack of one process: what samples are grouped by before symbolization.
struct StackKey: Hashable {
    let pid: Int32
    /// Kernel addresses, leaf first.
    let kernel: [UInt64]
    /// User addresses (FP walk or DWARF unwind), leaf first.
    let user: [UInt64]
    /// Python frames, leaf first.
    let python: [PythonRawFrame]
    /// Swift async callers' resume functions (innermost first) and the funclet pc to splice them at.
    var swiftAsyncResume: [UInt64] = []
    var swiftAsyncFuncletPC: UInt64 = 0
    var swiftAsyncTruncated = false
}
