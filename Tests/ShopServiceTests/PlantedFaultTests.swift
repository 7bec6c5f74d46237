import ShopService
import Testing

/// The planted faults are the same on every run: the fault switch picks an exact share of requests,
/// and v2's fraud step spends a fixed share of the request's own work.
@Suite struct PlantedFaultTests {
    @Test(arguments: [0.0, 0.3, 0.4, 1.0])
    func faultSwitchSlowsExactlyItsShare(share: Double) {
        let fault = FaultSwitch(share: share, factor: 12)
        let slow = (0..<1000).filter { _ in fault.basketMultiplier() == 12 }.count
        #expect(slow == Int((1000 * share).rounded(.down)))
    }

    @Test func faultSwitchRestartsItsCountWhenSet() {
        let fault = FaultSwitch(share: 0.5, factor: 3)
        let first = (0..<4).map { _ in fault.basketMultiplier() }
        fault.set(share: 0.5, factor: 3)
        let again = (0..<4).map { _ in fault.basketMultiplier() }
        #expect(first == again)
        #expect(first == [1, 3, 1, 3])
    }

    @Test func offSwitchNeverSlows() {
        let fault = FaultSwitch()
        #expect((0..<100).allSatisfy { _ in fault.basketMultiplier() == 1 })
    }

    @Test func fraudStepSpendsItsBudgetOnTheThreadClock() {
        for budget: UInt64 in [200_000, 1_000_000] {
            let spent = (0..<15).map { _ -> UInt64 in
                let start = ThreadCPUClock.threadCPUNanoseconds()
                _ = FraudScreening.scoreOrderRisk(orderID: 7, cpuBudgetNs: budget)
                return ThreadCPUClock.threadCPUNanoseconds() - start
            }.sorted()
            // Every call spends at least the budget; the typical one at most one chunk (~25 µs) past it.
            // (Single calls can read far more: a VM's stolen time runs the thread clock on.)
            #expect(spent.allSatisfy { $0 >= budget })
            #expect(spent[spent.count / 2] < budget + 150_000, "median \(spent[spent.count / 2]) ns for a budget of \(budget)")
        }
    }
}
