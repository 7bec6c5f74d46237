/// Self and total value of one function (by name) in one profile.
public struct FunctionStat: Codable, Sendable, Equatable {
    public var name: String
    /// The kind of the first frame seen with this name.
    public var kind: FrameKind
    /// Value of samples whose leaf is this function.
    public var selfValue: Int64
    /// Value of samples with this function anywhere on the stack (once per stack, so recursion
    /// is not double counted).
    public var totalValue: Int64
    /// `selfValue` / profile total (0...1).
    public var selfShare: Double
    /// `totalValue` / profile total (0...1).
    public var totalShare: Double
    /// How much more the self share varies between blocks of the profile than independent samples
    /// would (`SampleDispersion`, at least 1; 1 when it could not be estimated).
    public var dispersion: Double = 1
}
