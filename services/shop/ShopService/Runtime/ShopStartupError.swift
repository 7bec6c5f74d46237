/// Turns start-up failures into `failed to <verb> <thing>: <reason>` messages.
public enum ShopStartupError {
    public static func describe(_ error: Error, port: Int) -> String {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("EADDRINUSE") || text.contains("errno: 98") {
            return "failed to bind 127.0.0.1:\(port): address already in use"
        }
        if text.hasPrefix("failed to") { return text }
        return "failed to start service: \(text)"
    }
}
