import ProfileModel
import Symbolize

/// What the agent needs from symbolization. `Symbolizer` is the implementation; the seam keeps
/// profile building testable without processes.
protocol StackSymbolizing: AnyObject {
    /// Snapshots `pid`'s mappings and symbols while it is alive.
    func prepare(pid: Int32)
    /// Names user addresses of `pid`, leaf first in and out.
    func symbolizeUser(pid: Int32, addresses: [UInt64]) -> [Frame]
    /// Names kernel addresses, leaf first in and out.
    func symbolizeKernel(addresses: [UInt64]) -> [Frame]
}

extension Symbolizer: StackSymbolizing {}
