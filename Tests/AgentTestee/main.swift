// agent-testee: the known program the Agent tests profile.
//
//   agent-testee cpu SECONDS     after "go" on stdin, burns CPU in a -> b -> c for SECONDS, then exits
//   agent-testee block COUNT     after "go", blocks COUNT times 200 ms inside blockTwoHundredMilliseconds,
//                                then prints "blocked SECONDS" (the wall time that took)
//   agent-testee async SECONDS   after "go", burns CPU in c under asyncHandler -> await asyncA -> await asyncB
//                                on the concurrency runtime's executor, for SECONDS, then exits
//   agent-testee tp-offset       prints the trace context's offset from the thread pointer, then exits
//
// Every working thread publishes TraceIDs.trace/span through CTraceContext first. The program prints
// "ready" when it waits for "go", so that the test attaches the agent before the work starts.
import CTraceContext
#if canImport(Glibc)
import Glibc
#endif

enum TraceIDs {
    static let trace: [UInt8] = [0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36]
    static let span: [UInt8] = [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]
}

var sink: UInt64 = 0

@inline(never)
func c(_ seed: UInt64) -> UInt64 {
    // No calls in the hot loop (a for-in loop calls IndexingIterator.next() in debug builds): a sample
    // landing in a callee's prologue would lose c from a frame-pointer stack.
    var x = seed | 1
    var round = 0
    while round < 20_000 {
        x = x &* 6364136223846793005 &+ 1442695040888963407
        round &+= 1
    }
    return x
}

@inline(never)
func b(_ seed: UInt64) -> UInt64 {
    // A while loop: in debug builds a for-in loop calls IndexingIterator.next() from b, not from c.
    var x = seed
    var round = 0
    while round < 50 {
        x = c(x)
        round += 1
    }
    return x
}

@inline(never)
func a(until deadline: Double) -> UInt64 {
    var x: UInt64 = 1
    while monotonicSeconds() < deadline { x = b(x) }
    return x
}

@inline(never)
func blockTwoHundredMilliseconds() {
    var request = timespec(tv_sec: 0, tv_nsec: 200_000_000)
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

@inline(never)
func blockRepeatedly(count: Int) {
    for _ in 0..<count { blockTwoHundredMilliseconds() }
}

/// The async chain: c runs in asyncB, two awaits below asyncHandler. On the machine stack only asyncB's
/// running funclet is above the executor; asyncA and asyncHandler exist only as async contexts.
@inline(never)
func asyncHandler(until deadline: Double) async -> UInt64 {
    let x = await asyncA(until: deadline)
    return x &+ 1
}

@inline(never)
func asyncA(until deadline: Double) async -> UInt64 {
    await Task.yield()  // a real suspension: asyncA is split into funclets, not inlined into the handler
    let x = await asyncB(until: deadline)
    return x &+ 1
}

@inline(never)
func asyncB(until deadline: Double) async -> UInt64 {
    var x: UInt64 = 1
    while monotonicSeconds() < deadline {
        var round = 0
        while round < 10 {
            x = c(x)
            round += 1
        }
        await Task.yield()  // resumes in another funclet, possibly on another thread
    }
    return x
}

/// Maps `pages` fresh anonymous pages (no huge pages: one fault per 4 KiB page) and writes one byte
/// to each: exactly `pages` page faults in this function. Returns how many it touched.
@inline(never)
func touchPages(_ pages: Int) -> Int {
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    guard let region = mmap(nil, pages * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
          region != MAP_FAILED else { return 0 }
    _ = madvise(region, pages * pageSize, MADV_NOHUGEPAGE)
    let bytes = region.assumingMemoryBound(to: UInt8.self)
    for page in 0..<pages { bytes[page * pageSize] = UInt8(truncatingIfNeeded: page | 1) }
    return pages
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func publishTraceContext() {
    TraceIDs.trace.withUnsafeBufferPointer { trace in
        TraceIDs.span.withUnsafeBufferPointer { span in
            flamelab_trace_context_set(trace.baseAddress, span.baseAddress)
        }
    }
}

/// Runs `work` on a new thread (with the trace context published there) and waits for it.
func runOnThread(_ work: @escaping () -> Void) {
    final class Box { let work: () -> Void; init(_ w: @escaping () -> Void) { work = w } }
    var thread = pthread_t()
    let box = Unmanaged.passRetained(Box(work)).toOpaque()
    pthread_create(&thread, nil, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        publishTraceContext()
        box.work()
        return nil
    }, box)
    pthread_join(thread, nil)
}

func waitForGo() {
    print("ready", flush: ())
    _ = readLine()
}

func print(_ line: String, flush: ()) {
    print(line)
    fflush(nil)  // all streams: naming the global `stdout` is not concurrency-safe in Swift 6
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: agent-testee cpu SECONDS | block COUNT | async SECONDS | touch PAGES | tp-offset")
    exit(2)
}
switch arguments[1] {
case "cpu":
    let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3
    waitForGo()
    runOnThread { sink = a(until: monotonicSeconds() + seconds) }
case "block":
    let count = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
    waitForGo()
    runOnThread {
        // The wall time spent blocking, scheduling delays included: the most off-CPU time there can be.
        let start = monotonicSeconds()
        blockRepeatedly(count: count)
        print("blocked \(monotonicSeconds() - start)", flush: ())
    }
case "async":
    let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3
    waitForGo()
    let deadline = monotonicSeconds() + seconds
    Task.detached {
        let x = await asyncHandler(until: deadline)
        print("done \(x & 1)", flush: ())
        exit(0)
    }
    while true { pause() }
case "touch":
    let pages = arguments.count > 2 ? Int(arguments[2]) ?? 1024 : 1024
    waitForGo()
    runOnThread { print("touched \(touchPages(pages))", flush: ()) }
case "tp-offset":
    print("\(flamelab_trace_context_tp_offset())", flush: ())
default:
    print("unknown mode \(arguments[1])")
    exit(2)
}
