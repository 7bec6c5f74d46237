/// Whether the gate tests CPU samples taken in the kernel.
///
/// `exclude` (the default) tests the code the deploy ships: CPU samples whose leaf frame is in the
/// kernel are left out of both profiles before any share is computed, so shares are of user-space
/// CPU. Kernel time is where a shared machine's noise lands: in a quick lab run an A/A comparison of
/// one build failed because the candidate capture spent 50% more CPU in the kernel (interrupts and
/// lock contention from a neighbouring build: `_raw_spin_unlock_irqrestore` 2.1% -> 10.9%,
/// `_raw_spin_unlock_irq` 0.6% -> 4.9%, 2720 -> 4122 samples in equal 8 s captures). Counted in the
/// shares, such a burst also dilutes or inflates every user-space function at once.
/// `include` gates kernel functions like any other (a deploy that adds syscalls or page faults).
///
/// Off-CPU profiles are never filtered: every off-CPU stack ends in the scheduler.
public enum GateKernelTime: String, Codable, Sendable, CaseIterable {
    case exclude
    case include
}
