// agent-record: a minimal recorder over the Agent module, for the Agent tests (it is the process the
// SIGKILL test kills) and for measuring the agent's own CPU and memory. The user-facing command is
// `lab record`.
//
//   agent-record --pid N [--pid M] | --all  [--duration S] [--hz N] [--kind cpu,offcpu]
//                [--unwind fp|dwarf|auto] [--python auto|off] [--[no-]swift-async] [--min-block-ns N] [--bpf-stats] [-o FILE]
import LabRuntime
import Agent
import Foundation
import ProfileModel

func fail(_ message: String) -> Never {
    FileHandle.standardError.write((message + "\n").data(using: .utf8)!)
    exit(1)
}

var pids: [Int32] = []
var all = false
var duration: Double? = 30
var hz = 99
var kinds: Set<ProfileKind> = [.cpu]
var unwind = UnwindMode.standard
var python = PythonMode.auto
var swiftAsync = true
var minBlock: UInt64 = 1_000_000
var output: String?
var bpfStats = false
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    func value() -> String {
        guard !arguments.isEmpty else { fail("failed to parse arguments: \(flag) needs a value") }
        return arguments.removeFirst()
    }
    switch flag {
    case "--pid": pids.append(Int32(value()) ?? -1)
    case "--all": all = true
    case "--duration": duration = Double(value())
    case "--hz": hz = Int(value()) ?? -1
    case "--kind": kinds = Set(value().split(separator: ",").compactMap { ProfileKind(rawValue: String($0)) })
    case "--unwind": unwind = UnwindMode(rawValue: value()) ?? .standard
    case "--python": python = PythonMode(rawValue: value()) ?? .auto
    case "--swift-async": swiftAsync = true
    case "--no-swift-async": swiftAsync = false
    case "--min-block-ns": minBlock = UInt64(value()) ?? 0
    case "-o": output = value()
    case "--bpf-stats": bpfStats = true
    default: fail("failed to parse arguments: unknown flag \(flag)")
    }
}
let config = AgentConfig(
    targets: all ? .all : .pids(pids), hz: hz, kinds: kinds, unwind: unwind, python: python,
    durationSeconds: duration, minBlockNs: minBlock, measureBPFTime: bpfStats, swiftAsync: swiftAsync
)
do {
    let sink = try output.map { try FileProfileSink(path: $0) }
    try sink?.checkWritable()
    let agent = Agent(config: config)
    signal(SIGINT, SIG_IGN)
    let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    interrupt.setEventHandler { agent.requestStop() }
    interrupt.resume()
    try agent.start()
    print("attached", to: &standardError)
    let recording = agent.finish()
    try sink?.write(recording.profiles, stats: recording.stats)
    print(recording.stats.summary, to: &standardError)
    for note in recording.stats.notes { print("note: \(note)", to: &standardError) }
} catch {
    fail("\(error)")
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(string.data(using: .utf8)!) }
}
nonisolated(unsafe) var standardError = StandardError()
