import Testing
import LabRuntime

@Suite("Statistics: quantiles and the bootstrap interval of the median")
struct StatisticsTests {
    @Test("the interval holds the sample median, and the same data give the same interval")
    func intervalHoldsTheMedianAndIsReproducible() throws {
        let values = (1...101).map(Double.init)
        let interval = try #require(Statistics.bootstrapInterval(values))
        #expect(interval.contains(51))
        #expect(interval.lowerBound > 35 && interval.upperBound < 67)
        #expect(Statistics.bootstrapInterval(values) == interval)
    }

    @Test("more data narrow the interval; its width tracks the spread of the data")
    func intervalNarrowsWithMoreData() throws {
        var generator = SeededGenerator(seed: 7)
        let noise = { (count: Int) in (0..<count).map { _ in Double.random(in: -1...1, using: &generator) } }
        let few = try #require(Statistics.bootstrapInterval(noise(12)))
        let many = try #require(Statistics.bootstrapInterval(noise(400)))
        #expect(many.upperBound - many.lowerBound < (few.upperBound - few.lowerBound) / 2)
        #expect(many.contains(0))
        let wide = try #require(Statistics.bootstrapInterval(noise(400).map { $0 * 10 }))
        #expect(wide.upperBound - wide.lowerBound > 5 * (many.upperBound - many.lowerBound))
    }

    @Test("fewer than two values have no interval")
    func tooFewValues() {
        #expect(Statistics.bootstrapInterval([]) == nil)
        #expect(Statistics.bootstrapInterval([1]) == nil)
    }

    @Test("the median's order-statistic interval: the ranks of the binomial, and none below six values")
    func medianInterval() throws {
        // n = 100: ranks floor(50 - 9.8) = 40 and ceil(1 + 50 + 9.8) = 61.
        let interval = try #require(Statistics.medianInterval95((1...100).map(Double.init).shuffled()))
        #expect(interval == 40...61)
        #expect(Statistics.medianInterval95([1, 2, 3, 4, 5]) == nil)
        let six = try #require(Statistics.medianInterval95([6, 5, 4, 3, 2, 1]))
        #expect(six == 1...6)
    }
}
