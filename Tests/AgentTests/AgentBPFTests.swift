import Testing

/// Every suite that loads the profiler runs inside this one, one test at a time: several agents
/// sampling at once would share two CPUs and make the measured shares noisy.
@Suite(.serialized)
enum AgentBPFTests {}
