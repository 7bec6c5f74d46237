/// The shop's memory alert (lab/prometheus/memory.rules.yml): where it lives and what it is called,
/// for the memory drill that starts Prometheus with it and waits for it to fire.
public enum MemoryAlertRules {
    /// The rules file, relative to the repository root.
    public static let path = "lab/prometheus/memory.rules.yml"
    /// The alert that fires on steady resident-memory growth.
    public static let alertName = "ShopResidentMemoryGrowing"
    /// The series the alert reads.
    public static let residentSeries = #"process_resident_memory_bytes{job="flamelab-shop"}"#
}
