import Foundation
import ProfileModel

/// A small program compiled on the spot, as most people build theirs, without frame pointers: a CPU
/// loop and a `usleep` (off-CPU leaf in glibc), two calls below `main`, so that its samples have
/// callers to lose. The agent's tests and the polyglot scenario measure stack completeness on it.
public struct FramelessProgram: Sendable {
    /// `c-frameless`, `swift-frameless` or `c-frame-pointers`.
    public let name: String
    public let executable: String
    /// How it was compiled, for reports.
    public let buildCommand: String

    /// `gcc -O2 -fomit-frame-pointer` (or `-fno-omit-frame-pointer`), no sibling calls (a tail call
    /// would drop a caller for everyone).
    public static func c(framePointers: Bool = false, in directory: String? = nil) throws -> FramelessProgram {
        let source = """
        #include <unistd.h>
        __attribute__((noinline)) static unsigned long spin(unsigned long n) {
            volatile unsigned long x = 0;
            for (unsigned long i = 0; i < n; i++) x += i * i;
            return x;
        }
        __attribute__((noinline)) static void wait_a_little(void) { usleep(3000); }
        __attribute__((noinline)) static unsigned long work(void) {
            unsigned long total = 0;
            for (;;) { total += spin(3000000); wait_a_little(); if (total == 42) break; }
            return total;
        }
        int main(void) { return (int)work(); }
        """
        return try build(name: framePointers ? "c-frame-pointers" : "c-frameless", source: source, fileExtension: "c", directory: directory, compiler: "/usr/bin/gcc",
                         flags: ["-O2", framePointers ? "-fno-omit-frame-pointer" : "-fomit-frame-pointer", "-fno-optimize-sibling-calls"])
    }

    /// Plain `swiftc -O`, which keeps no frame pointer in the program's own functions.
    public static func swift(in directory: String? = nil) throws -> FramelessProgram {
        let source = """
        import Glibc
        // `seed` changes every round: a pure call with the same argument would be hoisted out of the loop.
        @inline(never) func spin(_ n: Int, seed: UInt64) -> UInt64 {
            var x = seed | 1
            for i in 0..<n { x ^= x &<< 13; x ^= x &>> 7; x ^= x &<< 17; x &+= UInt64(truncatingIfNeeded: i) }
            return x
        }
        @inline(never) func waitALittle() { usleep(3000) }
        @inline(never) func work(_ rounds: Int) -> UInt64 {
            var total: UInt64 = 0
            while total != 42 { total &+= spin(rounds, seed: total); waitALittle() }
            return total
        }
        print(work(CommandLine.arguments.count * 3_000_000))
        """
        return try build(name: "swift-frameless", source: source, fileExtension: "swift", directory: directory,
                         compiler: "/opt/swift/usr/bin/swiftc", flags: ["-O"])
    }

    private static func build(name: String, source: String, fileExtension: String, directory: String?, compiler: String, flags: [String]) throws -> FramelessProgram {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("flamelab-frameless-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sourcePath = "\(directory)/\(name).\(fileExtension)", executable = "\(directory)/\(name)"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let log = "\(directory)/\(name).log"
        let compile = try ChildProcess(compiler, flags + ["-o", executable, sourcePath], output: log)
        guard compile.wait(seconds: 120), compile.exitStatus == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw FlamelabError("failed to compile \(sourcePath) with \(compiler): \(output)")
        }
        let command = ([(compiler as NSString).lastPathComponent] + flags + ["\(name).\(fileExtension)"]).joined(separator: " ")
        return FramelessProgram(name: name, executable: executable, buildCommand: command)
    }
}
