import CElfDwarf
import Foundation

/// Helpers shared by the Symbolize tests: facts about the test process itself.
enum TestProcess {
    static var pid: Int32 { getpid() }

    /// The address of a symbol in the loaded libraries, through the dynamic linker.
    static func address(ofSymbol name: String) -> UInt64? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
        return UInt64(UInt(bitPattern: symbol))
    }
}

/// A known function: its address comes from inside it.
@inline(never) @_optimize(none)  // release test builds: no tail calls or specialization of the known chain
func symbolizeProbeFunction() -> UInt64 {
    celf_caller_address()
}
