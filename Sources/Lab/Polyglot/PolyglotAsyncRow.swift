import ProfileModel
import Symbolize

/// One row of the async-route table: how often a profiler names the async callers of `/quote`'s hot
/// function (`handler -> await AsyncPricing.quote -> await AsyncPricing.applyRules -> ruleKernel`).
public struct PolyglotAsyncRow: Codable, Sendable {
    public var setup: String
    public var command: String
    /// Set when the configuration could not run; then the counts are 0.
    public var error: String?
    /// Samples whose stack holds the hot function.
    public var hotSamples = 0
    /// Of which name `quote` above `applyRules` (the caller one await up).
    public var withQuote = 0
    /// Of which also name the route handler (`ShopRoutes.quoteRoute`, two awaits up).
    public var withHandler = 0
    /// One hot stack as the profiler gave it (root first), for the write-up.
    public var example: String?

    /// The hot function and its async callers, as substrings of demangled names (display-simplified or not).
    static let hot = "AsyncPricing.ruleKernel"
    static let inner = "AsyncPricing.applyRules"
    static let outer = "AsyncPricing.quote"
    static let handler = "ShopRoutes.quoteRoute"

    public init(setup: String, command: String, error: String? = nil) {
        self.setup = setup
        self.command = command
        self.error = error
    }

    public init(setup: String, command: String, stacks: StackSamples) {
        self.init(setup: setup, command: command)
        for (printed, weight) in zip(stacks.stacks, stacks.weights) {
            // perf and bpftrace print Swift names mangled: read every profiler's names demangled.
            let stack = printed.map(Self.demangled)
            guard let hotIndex = stack.firstIndex(where: { $0.name.contains(Self.hot) }) else { continue }
            hotSamples += weight
            let callers = Array(stack[..<hotIndex])
            guard Self.callerIndex(Self.outer, in: callers).map({ outer in
                Self.callerIndex(Self.inner, in: callers).map { $0 > outer } ?? false
            }) ?? false else { continue }
            withQuote += weight
            if callers.contains(where: { Self.isCaller(Self.handler, $0) }) { withHandler += weight }
            if example == nil { example = stack.map { $0.kind == .swiftAsync ? "\($0.displayName) [async]" : $0.displayName }.joined(separator: ";") }
        }
        if example == nil, let first = stacks.stacks.lazy.map({ $0.map(Self.demangled) }).first(where: { $0.contains { $0.name.contains(Self.hot) } }) {
            example = first.map(\.displayName).joined(separator: ";")
        }
    }

    /// The share of hot samples that name `quote` as `applyRules`'s caller, in percent.
    public var quotePercent: Double { hotSamples > 0 ? 100 * Double(withQuote) / Double(hotSamples) : 0 }
    public var handlerPercent: Double { hotSamples > 0 ? 100 * Double(withHandler) / Double(hotSamples) : 0 }

    /// A frame naming `function` as a caller: the function itself, or one of its funclets
    /// (`(1) await resume partial function for X`), as perf and bpftrace name them.
    static func isCaller(_ function: String, _ frame: Frame) -> Bool {
        frame.name.contains(function)
    }

    static func demangled(_ frame: Frame) -> Frame {
        guard frame.name.hasPrefix("$s") || frame.name.hasPrefix("_$s") else { return frame }
        var named = frame
        named.name = SymbolNames.demangle(frame.name)
        return named
    }

    private static func callerIndex(_ function: String, in callers: [Frame]) -> Int? {
        callers.lastIndex { isCaller(function, $0) }
    }
}
