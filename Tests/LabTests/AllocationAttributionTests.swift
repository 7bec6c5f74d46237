import Foundation
@testable import Lab
import ProfileModel
import Testing

/// heaptrack's interpreted trace and flamelab's alloc profile, attributed the same way: the leaf-most
/// service frame, only under the checkout.
struct AllocationAttributionTests {
    /// strings 1-8, ips 1-5, traces 1-6 (5: swift_slowAlloc right under checkout; 6: libpython with its
    /// callers lost), four allocation kinds: 1024 B under formatReceiptLines (3 calls, one freed), 16 B
    /// under checkout (2), 4096 B at start-up (1, out of scope), 128 B in the interpreter (1).
    static let trace = """
    v 10400 3
    X /srv/shop --port 1
    s 9 /srv/shop
    s 1f /lib/x86_64-linux-gnu/libc.so.6
    s 47 ShopService.Shop.checkout(orderID: Swift.UInt64) throws -> Swift.Double
    s 5a ShopService.ReceiptFormatter.formatReceiptLines(orderID: Swift.UInt64, lines: Swift.Int) -> Swift.Int
    s f swift_slowAlloc
    s 1f ShopService.Startup.load() -> ()
    s 25 /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0
    s e PyObject_Malloc
    i 1000 1 3
    i 2000 1 4 1 10
    i 3000 1 5
    i 4000 1 6
    i 5000 7 8
    t 1 0
    t 2 1
    t 3 2
    t 4 0
    t 3 1
    t 5 0
    a 400 3
    + 0
    c 10
    a 10 5
    + 1
    + 0
    + 1
    - 0
    a 1000 4
    + 2
    + 0
    a 80 6
    + 3
    """

    @Test func heaptrackTraceIsAttributedToTheLeafMostServiceFunctionUnderTheCheckout() throws {
        let parsed = try HeaptrackTrace(lines: Self.trace.split(separator: "\n"))
        #expect(parsed.stack(trace: 3).map(\.function) == ["swift_slowAlloc", "ShopService.ReceiptFormatter.formatReceiptLines(orderID: Swift.UInt64, lines: Swift.Int) -> Swift.Int",
                                                           "ShopService.Shop.checkout(orderID: Swift.UInt64) throws -> Swift.Double"])
        let attribution = AllocationAttribution.of(parsed, executable: "/srv/shop", scope: "Shop.checkout(")
        #expect(attribution.entries.map(\.function) == ["ShopService.ReceiptFormatter.formatReceiptLines", AllocationAttribution.interpreter, "ShopService.Shop.checkout"])
        #expect(attribution.entries.map(\.bytes) == [3072, 128, 32])
        #expect(attribution.entries.map(\.calls) == [3, 1, 2])
        #expect(attribution.totalBytes == 3232)
    }

    @Test func aMalformedLineIsAnErrorNamingIt() {
        #expect(throws: FlamelabError.self) { try HeaptrackTrace(lines: ["s 3 abc", "t 1"]) }
        do {
            _ = try HeaptrackTrace(lines: ["s 3 abc", "a zz 1"])
            Issue.record("a malformed allocation line parsed")
        } catch {
            #expect("\(error)".contains("failed to parse heaptrack trace: line 2 is malformed"))
        }
    }

    @Test func flamelabAllocProfileIsAttributedTheSameWay() {
        var profile = Profile(metadata: ProfileMetadata(kind: .alloc))
        let checkout = Frame(name: "ShopService.Shop.checkout(orderID: Swift.UInt64) throws -> Swift.Double", kind: .app)
        let format = Frame(name: "ShopService.ReceiptFormatter.formatReceiptLines(orderID: Swift.UInt64, lines: Swift.Int) -> Swift.Int", kind: .app)
        let runtime = Frame(name: "swift_slowAlloc", kind: .swiftRuntime), malloc = Frame(name: "malloc", kind: .libc)
        for (frames, bytes, objects) in [([checkout, format, runtime, malloc], Int64(3072), Int64(3)), ([checkout, runtime, malloc], 32, 2),
                                         ([Frame(name: "ShopService.Startup.load() -> ()", kind: .app), malloc], 4096, 1)] {
            let id = profile.intern(stack: frames.map { profile.intern($0) })
            profile.add(stackID: id, value: bytes, objects: objects)
        }
        let attribution = AllocationAttribution.of(profile, scope: "Shop.checkout(")
        #expect(attribution.top(2) == ["ShopService.ReceiptFormatter.formatReceiptLines", "ShopService.Shop.checkout"])
        #expect(attribution.totalBytes == 3104 && attribution.totalCalls == 5)
    }
}
