import ProfileModel

/// The key two frames merge under in a flame graph.
struct FlameFrameKey: Hashable {
    var name: String
    var module: String
    var kind: FrameKind

    init(_ frame: Frame) {
        name = frame.name
        module = frame.module
        kind = frame.kind
    }

    var frame: Frame { Frame(name: name, module: module, kind: kind) }
}
