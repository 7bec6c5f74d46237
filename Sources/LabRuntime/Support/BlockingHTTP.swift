import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// One HTTP exchange through Foundation's URLSession, waited for: the lab's threads are plain threads,
/// and URLSession handles what a server may answer (chunked bodies, redirects, keep-alive).
public enum BlockingHTTP {
    /// An answer: status and body.
    public struct Answer: Sendable {
        public var status: Int
        public var body: Data
    }

    /// Sends `request` and waits for the answer; throws on a transport error (refused, timeout).
    public static func send(_ request: URLRequest) throws -> Answer {
        let outcome = Mutex<Result<Answer, Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            outcome.withLock { $0 = error.map { .failure($0) } ?? .success(Answer(status: status, body: data ?? Data())) }
            done.signal()
        }.resume()
        done.wait()
        switch outcome.withLock({ $0 }) {
        case .success(let answer): return answer
        case .failure(let error): throw error
        case nil: throw URLError(.unknown)
        }
    }
}
