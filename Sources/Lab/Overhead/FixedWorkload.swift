import Foundation
import LabRuntime
import ProfileModel

/// A fixed amount of work, done on command by a long-lived process pinned to one CPU, whose CPU time
/// for exactly that work is read from its schedstat (ns). Profilers attach to it between units, so
/// their start-up never falls inside a measured unit, and every unit does the same work: what a
/// profiler adds to a unit is what it costs. The measurement runs two of them side by side (twins).
///
/// Two programs nobody here wrote the hot code of: sqlite3 running a recursive CTE (native code built
/// without frame pointers, as distributions build it) and CPython running a pure-Python loop (the
/// interpreter the Python walker reads).
final class FixedWorkload {
    enum Kind: String, Codable, Sendable, CaseIterable {
        case sqlite = "sqlite3 recursive CTE"
        case python = "CPython loop"
    }

    let kind: Kind
    /// The CPU the workload runs on.
    let cpu: Int
    private let process: ChildProcess
    private let directory: String
    private let commands: FileHandle
    /// The read end of the output FIFO, opened read-write so that it never reads end-of-file: the lab
    /// sleeps in poll until a unit's marker arrives instead of waking to look for it, which would land
    /// on the workload's CPU between its instructions.
    private let output: Int32
    /// The output's last bytes, where the next marker is looked for.
    private var outputTail = Data()
    private var units = 0
    /// How much work a unit is (rows for sqlite3, loop iterations for Python), set by `calibrate` (or
    /// copied from a twin's).
    var size: Int

    var pid: Int32 { process.pid }

    init(_ kind: Kind, cpu: Int) throws {
        self.kind = kind
        self.cpu = cpu
        directory = try PrivateFile.temporaryDirectory(prefix: "flamelab-fixed-work")
        let fifo = "\(directory)/commands"
        guard mkfifo(fifo, 0o600) == 0 else {
            throw FlamelabError.failed("create", "the command FIFO of the \(kind.rawValue) workload", String(cString: strerror(errno)))
        }
        let outputFIFO = "\(directory)/output"
        guard mkfifo(outputFIFO, 0o600) == 0 else {
            throw FlamelabError.failed("create", "the output FIFO of the \(kind.rawValue) workload", String(cString: strerror(errno)))
        }
        output = open(outputFIFO, O_RDWR | O_CLOEXEC)
        guard output >= 0 else {
            throw FlamelabError.failed("open", "the output FIFO of the \(kind.rawValue) workload", String(cString: strerror(errno)))
        }
        let (executable, arguments) = try FixedWorkload.command(kind)
        process = try ChildProcess("/usr/bin/taskset", ["-c", "\(cpu)", executable] + arguments,
                                   output: outputFIFO, errors: "\(directory)/errors", input: fifo)
        guard let handle = FileHandle(forWritingAtPath: fifo) else {
            throw FlamelabError.failed("open", "the command FIFO of the \(kind.rawValue) workload", "refused")
        }
        commands = handle
        size = 1_000_000  // rows or iterations until `calibrate` sets it
    }

    deinit {
        process.signal(SIGKILL)
        _ = process.wait(seconds: 5)
        try? commands.close()
        close(output)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Sets the unit's size so that it takes about `seconds` of CPU (measured on two units).
    func calibrate(seconds: Double) throws {
        _ = try runUnit()
        let cpu = Double(try runUnit()) / 1e9
        guard cpu > 0 else { throw FlamelabError.failed("calibrate", "the \(kind.rawValue) workload", "a unit took no CPU") }
        size = max(1000, Int(Double(size) * seconds / cpu))
    }

    /// Runs one unit and returns its CPU time, ns.
    func runUnit() throws -> UInt64 {
        units += 1
        let marker = "done-\(units)"
        let before = try ProcessCPU.liveThreadNanoseconds(pid: pid)
        try commands.write(contentsOf: Data(FixedWorkload.unitCommand(kind, size: size, marker: marker).utf8))
        try awaitMarker(marker)
        return try ProcessCPU.liveThreadNanoseconds(pid: pid) - before
    }

    private func awaitMarker(_ marker: String) throws {
        let deadline = Date().addingTimeInterval(120)
        let expected = Data((marker + "\n").utf8)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            if process.hasExited {
                let errors = (try? String(contentsOfFile: "\(directory)/errors", encoding: .utf8)) ?? ""
                throw FlamelabError.failed("run", "the \(kind.rawValue) workload", "it exited: \(errors.suffix(200))")
            }
            var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 200) > 0 else { continue }
            let count = read(output, &buffer, buffer.count)
            guard count > 0 else { continue }
            outputTail.append(contentsOf: buffer[0..<count])
            outputTail = outputTail.suffix(256)
            if outputTail.suffix(expected.count) == expected { return }
        }
        throw FlamelabError.failed("run", "the \(kind.rawValue) workload", "no answer to unit \(units) in 120 s")
    }

    private static func command(_ kind: Kind) throws -> (String, [String]) {
        switch kind {
        case .sqlite:
            guard let sqlite = ExecutablePath.find("sqlite3") else {
                throw FlamelabError.failed("start", "the sqlite3 workload", "sqlite3 not found (apt-get install sqlite3)")
            }
            return (sqlite, ["-batch", ":memory:"])
        case .python:
            guard let python = ExecutablePath.find("python3") else {
                throw FlamelabError.failed("start", "the CPython workload", "python3 not found")
            }
            return (python, ["-u", "-c", pythonProgram])
        }
    }

    private static func unitCommand(_ kind: Kind, size: Int, marker: String) -> String {
        switch kind {
        case .sqlite:
            return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < \(size)) SELECT count(*), sum(x) FROM c;\nSELECT '\(marker)';\n"
        case .python:
            return "\(size) \(marker)\n"
        }
    }

    /// Three nested Python functions, so that a sample's stack has frames for the walker to read.
    private static let pythonProgram = """
    import sys
    def leaf(i):
        return (i * 2654435761) % 1000003
    def middle(n):
        total = 0
        for i in range(n):
            total += leaf(i)
        return total
    def outer(n):
        return middle(n)
    for line in sys.stdin:
        size, marker = line.split()
        outer(int(size))
        print(marker)
    """
}
